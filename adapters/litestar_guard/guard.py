"""`SigninAuth`: protect a Litestar app's routes with the sign-in service's tokens."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException, ServiceUnavailableException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.types import ASGIApp

from adapters.litestar_guard.jwks import JWKS_PATH, RemoteKeys, Unavailable
from adapters.litestar_guard.tokens import Refused, TokenClaims, TokenVerifier
from adapters.litestar_guard.verdicts import VERIFY_PATH, SessionCheck, Verdict

logger = logging.getLogger("azure_signin.guard")
MAX_AUTHORIZATION = 8192


@dataclass(frozen=True)
class SignedInUser:
    """`request.user` on a protected route. `email` (verified only) and `workspaces`
    (workspace id -> role) come from the service and are filled when the session was
    confirmed (`confirm_session=True`, the default); otherwise `None` and empty."""

    id: str
    session_id: str
    token_expires_at: int
    email: str | None = None
    workspaces: Mapping[int, str] = field(default_factory=dict)
    confirmed: bool = False


def _refused() -> NotAuthorizedException:
    return NotAuthorizedException(detail="invalid_token",
                                  headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def _unavailable(reason: str) -> ServiceUnavailableException:
    logger.warning("sign-in service unavailable: %s", reason)
    return ServiceUnavailableException(detail="temporarily_unavailable", headers={"Retry-After": "1"})


def bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The bearer token of the request, or 401."""
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(header) > MAX_AUTHORIZATION:
        raise _refused()
    return token.strip()


class SigninAuth:
    """Everything a Litestar app needs to accept the sign-in service's tokens:

        auth = SigninAuth("https://signin.example.com")
        app = Litestar([...], middleware=[auth.middleware], on_shutdown=[auth.aclose])

        @get("/workspaces/{workspace_id:int}/notes", guards=[auth.requires_role("editor")])

    Every request (but `exclude`d paths and OPTIONS) needs `Authorization: Bearer <token>`;
    the token is verified here against the service's JWKS (EdDSA only; `iss` — the
    service's `SIGNIN_PUBLIC_URL`, by default `service_url` — `aud`, `exp`, `nbf`), then,
    with `confirm_session` (default), the service's `/auth/verify` confirms its session is
    still open, so a logout is refused here within a second. Missing or invalid token: 401;
    role not held: 403; the service unreachable: 503 (never a pass).
    """

    def __init__(
        self,
        service_url: str,
        *,
        issuer: str | None = None,
        audience: str = "azure-signin",
        confirm_session: bool = True,
        timeout: float = 2.0,
        cache_seconds: float = 0.25,
        jwks_max_age: float = 300.0,
        jwks_refetch_interval: float = 5.0,
        exclude: str | Sequence[str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        base = service_url.rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise ValueError("service_url must be an http(s) URL")
        self.confirm_session = confirm_session
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 1.0))
        self._transport = transport
        self._clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}
        self.keys = RemoteKeys(self._client, base + JWKS_PATH, max_age=jwks_max_age,
                               refetch_interval=jwks_refetch_interval)
        self.tokens = TokenVerifier(self.keys, issuer=issuer or base, audience=audience)
        self.sessions = SessionCheck(self._client, base + VERIFY_PATH, cache_seconds=cache_seconds)
        self.middleware = DefineMiddleware(_Middleware, auth=self, exclude=exclude)

    def _client(self) -> httpx.AsyncClient:
        # One pool per event loop: a client must not be shared across loops.
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = httpx.AsyncClient(timeout=self._timeout, transport=self._transport,
                                       follow_redirects=False)
            self._clients[loop] = client
        return client

    async def aclose(self) -> None:
        """Close the HTTP pools (register it in `on_shutdown`)."""
        loop = asyncio.get_running_loop()
        client = self._clients.pop(loop, None)
        if client is not None:
            await client.aclose()

    async def authenticate(self, token: str) -> SignedInUser:
        """The user a token speaks for; 401, or 503 when the service cannot be asked."""
        claims = await self._claims(token)
        if not self.confirm_session:
            return SignedInUser(claims.subject, claims.session_id, claims.expires_at)
        verdict = await self._ask(token, claims, None, None)
        if verdict.status != 200 or verdict.user_id != claims.subject:
            raise _refused()
        return SignedInUser(claims.subject, claims.session_id, claims.expires_at, verdict.email,
                            dict(verdict.workspaces), confirmed=True)

    def requires_role(self, role: str, workspace_param: str = "workspace_id"
                      ) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]:
        """A route guard: the signed-in user must hold `role`, or a higher one (owner >
        editor > viewer, the service's order), in the workspace named by the path parameter
        `workspace_param`. The service decides (`/auth/verify?workspace=&role=`), so the
        answer is as fresh as the session check."""
        if not role or not workspace_param:
            raise ValueError("requires_role needs a role and a workspace path parameter")

        async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
            token = bearer(connection)
            claims = await self._claims(token)
            try:
                workspace = int(connection.path_params[workspace_param])
            except (KeyError, TypeError, ValueError):
                raise PermissionDeniedException(detail="access_denied") from None
            verdict = await self._ask(token, claims, workspace, role)
            if verdict.status == 401:
                raise _refused()
            if verdict.status != 200:
                raise PermissionDeniedException(
                    detail="access_denied",
                    headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'})

        return guard

    async def _claims(self, token: str) -> TokenClaims:
        try:
            return await self.tokens.verify(token)
        except Refused as reason:
            logger.info("token refused: %s", reason)
            raise _refused() from None
        except Unavailable as error:
            raise _unavailable(str(error)) from None

    async def _ask(self, token: str, claims: TokenClaims, workspace: int | None,
                   role: str | None) -> Verdict:

        try:
            return await self.sessions.check(token, workspace, role,
                                             seconds_left=claims.expires_at - time.time())
        except Unavailable as error:
            raise _unavailable(str(error)) from None


class _Middleware(AbstractAuthenticationMiddleware):
    def __init__(self, app: ASGIApp, auth: SigninAuth, exclude: str | list[str] | None = None) -> None:
        super().__init__(app, exclude=exclude)
        self._auth = auth

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = bearer(connection)
        return AuthenticationResult(user=await self._auth.authenticate(token), auth=token)
