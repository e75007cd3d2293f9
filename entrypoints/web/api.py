"""The API the frontend calls with its bearer token: who am I, refresh, log out, and the
one-time code exchange."""
from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.serialization import encode_json

from core.errors import ErrorCode, SignInError
from core.navigation import match_origin
from core.usecases.handoff import RedeemHandoffCode
from core.usecases.session_changes import Logout, RefreshSession
from entrypoints.settings import Settings
from entrypoints.web import openapi_shapes as doc
from entrypoints.web.admin_shapes import SECURITY
from entrypoints.web.correlation import correlation_id
from entrypoints.web.events import SecurityLog
from entrypoints.web.hot_path import HotPath, Ready

MAX_TOKEN = 8192
_NO_STORE = {"Cache-Control": "no-store"}


def bearer_token(request: Request[Any, Any, Any]) -> str:
    """The token of an `Authorization: Bearer` header, or `invalid_token`."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(token) > MAX_TOKEN:
        raise SignInError(ErrorCode.INVALID_TOKEN, "missing bearer token")
    return token.strip()


def _iso(value: Any) -> str:
    return str(value.isoformat())


@get("/me", summary="The signed-in user, account, memberships and session", security=SECURITY,
     responses={401: doc.error(doc.NOT_SIGNED_IN), 503: doc.error(doc.UNAVAILABLE)})
async def me(
    request: Request[Any, Any, Any], hot_path: HotPath
) -> Response[dict[str, Any]]:
    current = await hot_path.check_access(bearer_token(request))
    profile = await hot_path.describe(current)
    user, account = profile.user, profile.account
    body = {
        "user": {
            "id": user.id,
            "email": user.email or user.display_email,
            "emailVerified": user.email_verified,
            "displayName": user.display_name,
        },
        "account": None if account is None else {
            "id": account.id,
            "issuer": account.issuer,
            "tenantId": account.tenant_id,
            "email": account.email,
        },
        "memberships": [
            {"workspaceId": m.workspace_id, "workspaceName": m.workspace_name, "role": m.role}
            for m in profile.memberships
        ],
        "session": {"id": profile.session_id, "expiresAt": _iso(profile.session_expires_at)},
    }
    return Ready(200, _NO_STORE, encode_json(body), "application/json")


@post("/auth/refresh", summary="A new token for an open session", status_code=200, security=SECURITY,
      responses={401: doc.error(doc.NOT_SIGNED_IN + "; also when Microsoft refused the session"),
                 503: doc.error(doc.UNAVAILABLE)})
async def refresh(
    request: Request[Any, Any, Any], refresh_session: RefreshSession, security_log: SecurityLog
) -> dict[str, Any]:
    refreshed = await refresh_session(bearer_token(request))
    if refreshed.revalidation is not None:
        correlation = correlation_id(request)
        security_log.revalidated(refreshed.revalidation, via="refresh", correlation=correlation)
    return {"access_token": refreshed.token, "token_type": "Bearer",
            "expires_at": _iso(refreshed.expires_at)}


@post("/auth/token", summary="Exchange a one-time code for the token", status_code=200,
      responses={400: doc.error(doc.codes("invalid_request") + ": an unknown, used or expired code"),
                 503: doc.error(doc.UNAVAILABLE)})
async def exchange_code(data: dict[str, str], redeem: RedeemHandoffCode) -> dict[str, Any]:
    code = data.get("code") if isinstance(data, dict) else None
    token = await redeem(code if isinstance(code, str) else "")
    return {"access_token": token, "token_type": "Bearer"}


def _post_logout_redirect(frontend_host: str | None, settings: Settings) -> str | None:
    """Where Microsoft may send the browser after a single sign-out: the allow-listed origin
    named, else nowhere (Microsoft's own signed-out page). Never a reason not to log out."""
    try:
        return match_origin(frontend_host, settings.allowed_origins) + "/" if frontend_host else None
    except SignInError:
        return None


async def _logout(
    request: Request[Any, Any, Any],
    logout: Logout,
    settings: Settings,
    security_log: SecurityLog,
    frontend_host: str | None,
) -> dict[str, Any]:
    """The session is closed whatever `frontendHost` says: the origin only decides where the
    browser goes next, so a missing, malformed or foreign one costs the redirect, not the
    logout."""
    correlation = correlation_id(request)
    post_logout = _post_logout_redirect(frontend_host, settings)
    done = await logout(bearer_token(request), post_logout)
    security_log.logout(done.user_id, done.session_id, correlation)
    if frontend_host and post_logout is None:
        security_log.origin_refused(correlation, request.url.path)
    return {"status": "logged_out", "end_session_url": done.end_session_url}


# No length or shape constraint on frontendHost here: Litestar would refuse such a request
# before the handler runs, and the session would stay open (the edge bounds the query).
@post("/logout", summary="Close this session", status_code=200, security=SECURITY,
      responses={401: doc.error(doc.NOT_SIGNED_IN), 503: doc.error(doc.UNAVAILABLE)})
async def logout_post(
    request: Request[Any, Any, Any], logout: Logout, settings: Settings, security_log: SecurityLog,
    frontend_host: Annotated[str | None, Parameter(query="frontendHost")] = None,
) -> dict[str, Any]:
    return await _logout(request, logout, settings, security_log, frontend_host)


@get("/logout", summary="Close this session (bearer header required)", security=SECURITY,
     responses={401: doc.error(doc.NOT_SIGNED_IN), 503: doc.error(doc.UNAVAILABLE)})
async def logout_get(
    request: Request[Any, Any, Any], logout: Logout, settings: Settings, security_log: SecurityLog,
    frontend_host: Annotated[str | None, Parameter(query="frontendHost")] = None,
) -> dict[str, Any]:
    return await _logout(request, logout, settings, security_log, frontend_host)
