"""Forward-auth: `GET|HEAD /auth/verify`, the check a reverse proxy (nginx `auth_request`,
Traefik ForwardAuth, Envoy ext_authz over HTTP) makes before every protected request.

The decision uses the `Authorization` header and the `workspace`/`role` query only: the
original request's `X-Forwarded-*` / `X-Original-*` headers are never read. Answers:

- 200, empty, with `X-Auth-Request-User`, `-Email` (verified address, absent when none),
  `-Session` and `-Workspaces` (`1:editor,2:viewer`, workspace ids ascending);
- 401 with `WWW-Authenticate: Bearer error="invalid_token"` for a missing, malformed,
  forged, expired or revoked token, a closed session or a disabled user;
- 403 when the workspace or role requirement is not met;
- 400 for a malformed requirement (a role without a workspace);
- 503 `temporarily_unavailable` when the check cannot be made (never a 200 then).

Every answer carries `Cache-Control: no-store`: a proxy must never reuse a verdict.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from litestar import Request, Response, get, head, route
from litestar.params import Parameter

from core.access import Access
from core.errors import ErrorCode, SignInError
from entrypoints.web import openapi_shapes as doc
from entrypoints.web.api import bearer_token
from entrypoints.web.correlation import correlation_id
from entrypoints.web.hot_path import HotPath, Ready

_REFUSED = {ErrorCode.INVALID_TOKEN, ErrorCode.ACCOUNT_DISABLED, ErrorCode.LOGIN_EXPIRED}
# RFC 5322 atext and '@' and '.': everything else (non-ASCII local parts) is percent-encoded
_EMAIL_SAFE = "@.!#$&'*+-/=?^_`{|}~"

Workspace = Annotated[int | None, Parameter(query="workspace", ge=1, le=2**31 - 1)]
Role = Annotated[str | None, Parameter(query="role", min_length=1, max_length=64)]


def identity_headers(access: Access) -> dict[str, str]:
    """The `X-Auth-Request-*` headers of a granted check."""
    principal = access.principal
    headers = {
        "X-Auth-Request-User": principal.user.id,
        "X-Auth-Request-Session": principal.session.id,
        "X-Auth-Request-Workspaces": ",".join(f"{g.workspace_id}:{g.role}" for g in principal.grants),
        "Cache-Control": "no-store",
    }
    if principal.user.email:
        headers["X-Auth-Request-Email"] = quote(principal.user.email, safe=_EMAIL_SAFE)
    return headers


def refusal(error: SignInError, correlation: str, *, with_body: bool) -> Response[Any]:
    """The answer to a check that did not grant: 401, 403, 400 or 503, never 200."""
    headers = {"Cache-Control": "no-store", "X-Correlation-Id": correlation}
    if error.code in _REFUSED:
        status, code = 401, ErrorCode.INVALID_TOKEN
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    elif error.code is ErrorCode.ACCESS_DENIED:
        status, code = 403, ErrorCode.ACCESS_DENIED
        headers["WWW-Authenticate"] = 'Bearer error="insufficient_scope"'
    elif error.code is ErrorCode.INVALID_REQUEST:
        status, code = 400, ErrorCode.INVALID_REQUEST
    else:
        status, code = 503, ErrorCode.TEMPORARILY_UNAVAILABLE
        headers["Retry-After"] = "1"
    if not with_body:
        return Response(content=b"", status_code=status, headers=headers, media_type="text/plain")
    return Response(content={"error": code.value}, status_code=status, headers=headers)


async def _verify(
    request: Request[Any, Any, Any],
    hot_path: HotPath,
    workspace: int | None,
    role: str | None,
    *,
    with_body: bool,
) -> Response[Any]:
    try:
        access = await hot_path.check_access(bearer_token(request), workspace, role)
    except SignInError as error:
        correlation = correlation_id(request)
        if error.code in _REFUSED:
            hot_path.security_log.token_refused(error.code, correlation, request.url.path)
        return refusal(error, correlation, with_body=with_body)
    return Ready(200, identity_headers(access), b"", "text/plain; charset=utf-8")


_DESCRIPTION = (
    "Forward-auth check for nginx `auth_request`, Traefik ForwardAuth and Envoy ext_authz. "
    "200 with X-Auth-Request-User/-Email/-Session/-Workspaces; 401 invalid token; 403 "
    "workspace/role not met; 503 temporarily_unavailable."
)


_RESPONSES = {
    200: doc.redirect("allowed: an empty body, the `X-Auth-Request-*` identity headers"),
    400: doc.error(doc.codes("invalid_request") + ": a malformed workspace or role"),
    401: doc.error(doc.NOT_SIGNED_IN + " (HEAD: no body)"),
    403: doc.error(doc.codes("access_denied") + ": the workspace/role is not met (HEAD: no body)"),
    503: doc.error(doc.UNAVAILABLE + " (HEAD: no body)"),
}


@get("/auth/verify", summary="Forward-auth: check a bearer token", description=_DESCRIPTION,
     status_code=200, responses=_RESPONSES)
async def verify_get(
    request: Request[Any, Any, Any], hot_path: HotPath,
    workspace: Workspace = None, role: Role = None,
) -> Response[Any]:
    return await _verify(request, hot_path, workspace, role, with_body=True)


@head("/auth/verify", summary="Forward-auth: check a bearer token (no body)",
      description=_DESCRIPTION, status_code=200, responses=_RESPONSES)
async def verify_head(
    request: Request[Any, Any, Any], hot_path: HotPath,
    workspace: Workspace = None, role: Role = None,
) -> Response[None]:
    return await _verify(request, hot_path, workspace, role, with_body=False)


# Envoy's ext_authz (HTTP) sends the check with the original request's method and, with
# `path_prefix`, the original path (and query) after the prefix. Those belong to the original
# request, so they are ignored: the requirement comes from the query of `/auth/verify`
# itself (Envoy `path_override: /auth/verify?workspace=1&role=editor`), never from there.
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
_ANY_METHOD: list[Method] = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@route("/auth/verify", http_method=["POST", "PUT", "PATCH", "DELETE"], status_code=200,
       summary="Forward-auth with the original request's method (Envoy ext_authz)",
       description=_DESCRIPTION, responses=_RESPONSES)
async def verify_any_method(
    request: Request[Any, Any, Any], hot_path: HotPath,
    workspace: Workspace = None, role: Role = None,
) -> Response[Any]:
    return await _verify(request, hot_path, workspace, role, with_body=True)


@route("/auth/verify/{original:path}", http_method=_ANY_METHOD, status_code=200,
       summary="Forward-auth with the original path appended (Envoy ext_authz path_prefix)",
       description=_DESCRIPTION + " The appended path and its query are ignored.",
       responses=_RESPONSES)
async def verify_prefixed(
    request: Request[Any, Any, Any], hot_path: HotPath,
    original: str,
) -> Response[Any]:
    return await _verify(request, hot_path, None, None, with_body=True)


@head("/auth/verify/{original:path}", status_code=200,
      summary="Forward-auth with the original path appended (no body)", description=_DESCRIPTION,
      responses=_RESPONSES)
async def verify_prefixed_head(
    request: Request[Any, Any, Any], hot_path: HotPath,
    original: str,
) -> Response[None]:
    return await _verify(request, hot_path, None, None, with_body=False)
