"""Use case: start a login. Validates where the browser will come back to, starts the
authorization-code flow and keeps it, bound to this browser, in the flow store."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from core.binding import binding_hash
from core.errors import ErrorCode, SignInError
from core.identity import LoginFlow
from core.navigation import match_origin, safe_return_path
from core.policy import SignInPolicy
from core.ports import Clock, FlowStore, IdentityGateway, IdGenerator


@dataclass(frozen=True)
class StartLoginInput:
    redirect_uri: str
    frontend_host: str | None = None
    return_path: str | None = None
    authority: str | None = None


@dataclass(frozen=True)
class LoginStarted:
    """Send the browser to `auth_uri`, with a binding cookie holding `binding_secret` for
    `cookie_lifetime`; `state` names the flow (and so the cookie)."""

    auth_uri: str = field(repr=False)
    state: str = field(repr=False)
    binding_secret: str = field(repr=False)
    cookie_lifetime: timedelta
    frontend_origin: str | None


class StartLogin:
    def __init__(
        self,
        flows: FlowStore,
        gateway: IdentityGateway,
        clock: Clock,
        ids: IdGenerator,
        policy: SignInPolicy,
        allowed_origins: Sequence[str],
    ) -> None:
        self._flows = flows
        self._gateway = gateway
        self._clock = clock
        self._ids = ids
        self._policy = policy
        self._allowed = tuple(allowed_origins)

    async def __call__(self, request: StartLoginInput) -> LoginStarted:
        """Raises `SignInError(invalid_request)` for an origin that is not allowed (before
        anything is stored) or an unknown authority; `temporarily_unavailable` when
        Microsoft or the flow store cannot be reached."""
        origin = (
            match_origin(request.frontend_host, self._allowed)
            if request.frontend_host is not None
            else None
        )
        authority = request.authority or self._gateway.authorities()[0]
        if authority not in self._gateway.authorities():
            raise SignInError(ErrorCode.INVALID_REQUEST, "unknown provider").at(origin)
        secret = self._ids.secret()
        try:
            started = await self._gateway.begin(authority, request.redirect_uri)
            flow = LoginFlow(
                state=started.state,
                authority=authority,
                protocol=started.protocol,
                binding_hash=binding_hash(secret),
                created_at=self._clock.now(),
                frontend_origin=origin,
                return_path=safe_return_path(request.return_path),
            )
            await self._flows.put(flow, self._policy.flow_lifetime)
        except SignInError as error:
            raise error.at(origin) from None
        return LoginStarted(started.auth_uri, started.state, secret, self._policy.flow_lifetime, origin)
