"""`POST /oauth2/introspect` (RFC 7662) for resource servers that prefer asking to
forward-auth. Callers authenticate with HTTP Basic (`client_id:client_secret`, each
form-urlencoded first, RFC 6749 §2.3.1) using a credential from `azure-signin client add`.

- 401 `invalid_client` with `WWW-Authenticate: Basic` for anyone else (the token is not
  looked at);
- 400 `invalid_request` without a `token` form field;
- 200 `{"active": false}` and nothing more for any token that is not valid now;
- 200 `{"active": true, ...}` with the token's claims, the verified email and the
  workspace roles for a valid one;
- 503 `temporarily_unavailable` when the check cannot be made.
"""
from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any
from urllib.parse import unquote_plus

from litestar import Request, Response, post
from litestar.enums import RequestEncodingType
from litestar.params import Body

from core.errors import ErrorCode, InvalidClient, SignInError
from core.usecases.introspect import Introspect, Introspection
from entrypoints.metrics import Metrics
from entrypoints.settings import Settings
from entrypoints.web import openapi_shapes as doc

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
MAX_FIELD = 8192


def basic_credentials(request: Request[Any, Any, Any]) -> tuple[str, str]:
    """(client id, secret) of an `Authorization: Basic` header; ("", "") when absent or
    malformed."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value or len(value) > MAX_FIELD:
        return "", ""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return "", ""
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        return "", ""
    return unquote_plus(client_id), unquote_plus(secret)


def _error(status: int, code: str, **headers: str) -> Response[dict[str, str]]:
    return Response({"error": code}, status_code=status, headers={**NO_STORE, **headers})


def _answer(result: Introspection, settings: Settings) -> dict[str, Any]:
    if result.access is None:
        return {"active": False}
    claims, principal = result.access.claims, result.access.principal
    body: dict[str, Any] = {
        "active": True,
        "token_type": "Bearer",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": claims.subject,
        "sid": claims.session_id,
        "jti": claims.token_id,
        "iat": int(claims.issued_at.timestamp()),
        "exp": int(claims.expires_at.timestamp()),
        "workspaces": [{"id": g.workspace_id, "role": g.role} for g in principal.grants],
    }
    if principal.user.email:
        body["email"] = principal.user.email
        body["username"] = principal.user.email
    return body


@post("/oauth2/introspect", status_code=200,
      responses={
          400: doc.error(doc.codes("invalid_request") + ": no `token` field"),
          401: doc.error(doc.codes("invalid_client") + " (with `WWW-Authenticate: Basic`)"),
          503: doc.error(doc.UNAVAILABLE),
      },
      summary="Token introspection (RFC 7662) for registered resource servers",
      description="HTTP Basic client authentication (azure-signin client add); form field "
                  "`token`. Inactive tokens get {\"active\": false} and nothing else.")
async def introspect(
    request: Request[Any, Any, Any],
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
    introspect: Introspect,
    settings: Settings,
    metrics: Metrics,
) -> Response[Any]:
    client_id, secret = basic_credentials(request)
    token = data.get("token") if isinstance(data, dict) else None
    try:
        if not isinstance(token, str) or not token or len(token) > MAX_FIELD:
            await introspect.authenticate_only(client_id, secret)
            metrics.token_checked("introspect", ErrorCode.INVALID_REQUEST.value)
            return _error(400, ErrorCode.INVALID_REQUEST.value)
        result = await introspect(client_id, secret, token)
    except InvalidClient:
        metrics.token_checked("introspect", "invalid_client")
        return _error(401, "invalid_client", **{"WWW-Authenticate": 'Basic realm="azure-signin"'})
    except SignInError as error:
        metrics.token_checked("introspect", error.code.value)
        if error.code is ErrorCode.TEMPORARILY_UNAVAILABLE:
            return _error(503, error.code.value, **{"Retry-After": "1"})
        raise
    metrics.token_checked("introspect", "active" if result.access is not None else "inactive")
    return Response(_answer(result, settings), headers=NO_STORE)
