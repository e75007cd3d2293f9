"""Use case: finish a login at the redirect endpoint.

The flow is taken out of the store once (a replayed callback finds nothing), checked
against the browser's binding cookie, redeemed and validated by the identity gateway, the
profile read, and the sign-in recorded in one transaction; only then is a token issued.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.binding import binding_matches
from core.errors import ErrorCode, SignInError
from core.identity import LoginFlow
from core.model import MicrosoftTokens
from core.policy import SignInPolicy
from core.ports import (
    Clock,
    FlowStore,
    IdentityGateway,
    IdGenerator,
    ProfileReader,
    SessionCache,
    TokenIssuer,
)
from core.rules.landing import error_origin, land
from core.usecases.record_signin import MicrosoftSession, RecordSignIn
from core.usecases.sessions import issue_token, remember


@dataclass(frozen=True)
class CompleteSignInInput:
    reply: Mapping[str, str] = field(repr=False)   # the callback's query parameters
    binding_secret: str | None = field(repr=False)  # the binding cookie, if sent
    redirect_uri: str


@dataclass(frozen=True)
class SignedIn:
    """Send the browser to `frontend_origin` + `/redirect-uri?uri=` + `landing_path` with
    the token: the landing `core.rules.landing.land` decided and validated against the
    allow-list (`host_not_allowed`: the workspace's host was refused, the first allowed
    origin stood in)."""

    token: str = field(repr=False)
    session_id: str
    user_id: str
    frontend_origin: str
    landing_path: str
    expires_at: datetime
    host_not_allowed: bool
    authority: str = ""               # the name of the Microsoft authority signed in with


@dataclass(frozen=True)
class PasswordResetStarted:
    """B2C said "forgot password": send the browser to the reset policy instead."""

    auth_uri: str = field(repr=False)
    state: str = field(repr=False)
    frontend_origin: str | None


def microsoft_session(claims: Mapping[str, Any]) -> MicrosoftSession | None:
    """The (`iss`, `sid`) of a validated ID token, when it names Microsoft's session (`sid`
    is an optional claim: without it, front-channel logout cannot find the session)."""
    issuer, sid = claims.get("iss"), claims.get("sid")
    if isinstance(issuer, str) and issuer and isinstance(sid, str) and sid:
        return MicrosoftSession(issuer, sid)
    return None


class CompleteSignIn:
    def __init__(
        self,
        flows: FlowStore,
        gateway: IdentityGateway,
        profiles: ProfileReader,
        record: RecordSignIn,
        tokens: TokenIssuer,
        cache: SessionCache,
        clock: Clock,
        ids: IdGenerator,
        policy: SignInPolicy,
        allowed_origins: Sequence[str],
    ) -> None:
        if not allowed_origins:
            raise ValueError("at least one allowed origin is required")
        self._flows = flows
        self._gateway = gateway
        self._profiles = profiles
        self._record = record
        self._tokens = tokens
        self._cache = cache
        self._clock = clock
        self._ids = ids
        self._policy = policy
        self._allowed = tuple(allowed_origins)

    async def __call__(self, request: CompleteSignInInput) -> SignedIn | PasswordResetStarted:
        """Raises `SignInError`, tied to where the browser goes back (`error_origin`: the
        login's origin when the flow was found); an unexpected failure becomes
        `server_error` (its cause chained, for the log)."""
        flow: LoginFlow | None = None
        try:
            flow = await self._take_flow(request)
            return await self._finish(flow, request)
        except SignInError as error:
            raise error.at(self._error_origin(flow), flow.authority if flow else None) from None
        except Exception as error:
            origin = self._error_origin(flow)
            failure = SignInError(ErrorCode.SERVER_ERROR, "unexpected failure", frontend_origin=origin)
            raise failure.at(origin, flow.authority if flow else None) from error

    def _error_origin(self, flow: LoginFlow | None) -> str | None:
        return error_origin(flow.frontend_origin if flow else None, self._allowed)

    async def _take_flow(self, request: CompleteSignInInput) -> LoginFlow:
        state = request.reply.get("state")
        if not state:
            raise SignInError(ErrorCode.INVALID_REQUEST, "callback without state")
        flow = await self._flows.take(state)
        if flow is None:
            raise SignInError(ErrorCode.LOGIN_EXPIRED, "unknown, expired or already used state")
        if not binding_matches(request.binding_secret, flow.binding_hash):
            raise SignInError(ErrorCode.INVALID_REQUEST, "callback from another browser").at(
                flow.frontend_origin
            )
        return flow

    async def _finish(
        self, flow: LoginFlow, request: CompleteSignInInput
    ) -> SignedIn | PasswordResetStarted:
        try:
            login = await self._gateway.redeem(flow, request.reply)
        except SignInError as error:
            if error.code is ErrorCode.PASSWORD_RESET and self._may_reset(flow):
                return await self._start_reset(flow, request.redirect_uri)
            raise
        identity = await self._profiles.read(login)
        tokens = MicrosoftTokens(login.access_token, login.refresh_token, login.id_token)
        record = await self._record(identity, flow.authority, tokens, microsoft_session(login.claims))
        now = self._clock.now()
        token, claims = issue_token(self._tokens, self._ids, self._policy, record.session, now)
        await remember(self._cache, record.session, now)
        workspace = record.workspace
        landing = land(
            flow.frontend_origin,
            workspace.id if workspace else None,
            workspace.frontend_host if workspace else None,
            flow.return_path,
            self._allowed,
        )
        return SignedIn(
            token=token,
            session_id=record.session.id,
            user_id=record.user.id,
            frontend_origin=landing.origin,
            landing_path=landing.path,
            expires_at=claims.expires_at,
            host_not_allowed=landing.host_not_allowed,
            authority=flow.authority,
        )

    def _may_reset(self, flow: LoginFlow) -> bool:
        return not flow.password_reset and self._gateway.can_reset_password(flow.authority)

    async def _start_reset(self, flow: LoginFlow, redirect_uri: str) -> PasswordResetStarted:
        started = await self._gateway.begin(flow.authority, redirect_uri, password_reset=True)
        reset = LoginFlow(
            state=started.state,
            authority=flow.authority,
            protocol=started.protocol,
            binding_hash=flow.binding_hash,
            created_at=self._clock.now(),
            frontend_origin=flow.frontend_origin,
            return_path=flow.return_path,
            password_reset=True,
        )
        await self._flows.put(reset, self._policy.flow_lifetime)
        return PasswordResetStarted(started.auth_uri, started.state, flow.frontend_origin)
