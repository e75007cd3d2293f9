"""How the service answers: the final redirect to the frontend, error redirects, plain
error pages and JSON errors. The one place where a `SignInError` becomes HTTP.
"""
from __future__ import annotations

import html
from urllib.parse import quote

from litestar import Response
from litestar.datastructures import Cookie
from litestar.status_codes import (
    HTTP_302_FOUND,
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from core.errors import AdminError, AdminErrorCode, ErrorCode, OriginNotAllowed, SignInError

# Headers on every answer of the login routes: nothing cached, no Referer leaking the URL.
NO_STORE = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
}

_PAGE_STATUS = {
    ErrorCode.TEMPORARILY_UNAVAILABLE: HTTP_503_SERVICE_UNAVAILABLE,
    ErrorCode.SERVER_ERROR: HTTP_500_INTERNAL_SERVER_ERROR,
}
_API_STATUS = {
    ErrorCode.INVALID_TOKEN: HTTP_401_UNAUTHORIZED,
    ErrorCode.LOGIN_EXPIRED: HTTP_401_UNAUTHORIZED,
    ErrorCode.ACCOUNT_DISABLED: HTTP_403_FORBIDDEN,
    ErrorCode.ACCESS_DENIED: HTTP_403_FORBIDDEN,
    ErrorCode.PROVIDER_NOT_REGISTERED: HTTP_403_FORBIDDEN,
    ErrorCode.TEMPORARILY_UNAVAILABLE: HTTP_503_SERVICE_UNAVAILABLE,
    ErrorCode.SERVER_ERROR: HTTP_500_INTERNAL_SERVER_ERROR,
}
_EXPLAIN = {
    ErrorCode.INVALID_REQUEST: "The sign-in request was not valid.",
    ErrorCode.LOGIN_EXPIRED: "This sign-in link has expired or was already used. Please start again.",
    ErrorCode.TEMPORARILY_UNAVAILABLE: "Sign-in is temporarily unavailable. Please try again shortly.",
    ErrorCode.SERVER_ERROR: "Something went wrong on our side.",
}


def redirect(location: str, *, cookies: list[Cookie] | None = None) -> Response[bytes]:
    """A 302 to `location`, exactly as given (already encoded by the caller)."""
    response: Response[bytes] = Response(
        content=b"", status_code=HTTP_302_FOUND, headers={**NO_STORE, "Location": location},
        media_type="text/plain",
    )
    for cookie in cookies or []:
        response.set_cookie(cookie)
    return response


def landing_location(origin: str, path: str, token: str, delivery: str) -> str:
    """`{origin}/redirect-uri?uri=<path>` with the token as the delivery setting asks:
    `fragment` (#access_token=, never in server logs or Referer), `query` (&access_token=,
    the original frontend's shape) or `code` (&code=<one-time code>)."""
    base = f"{origin}/redirect-uri?uri={quote(path, safe='/')}"
    if delivery == "query":
        return f"{base}&access_token={token}"
    if delivery == "code":
        return f"{base}&code={token}"
    return f"{base}#access_token={token}"


def error_location(origin: str, code: ErrorCode) -> str:
    return f"{origin}/redirect-uri?error={code.value}"


def _explain(error: SignInError) -> str:
    """The page's sentence, as escaped HTML."""
    if isinstance(error, OriginNotAllowed):
        shown = html.escape(error.origin) if error.origin else "(none)"
        return (f"The address <code>{shown}</code> is not registered with the sign-in service, "
                "so it cannot sign you in for that site. If the site is yours, add its origin to "
                "the service's <code>SIGNIN_ALLOWED_ORIGINS</code>.")
    return html.escape(_EXPLAIN.get(error.code, "Sign-in failed."))


def error_page(error: SignInError, correlation_id: str) -> Response[str]:
    """A plain page for a failure with no trusted origin to send the browser back to."""
    code = error.code
    status = _PAGE_STATUS.get(code, HTTP_400_BAD_REQUEST)
    body = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Sign-in failed</title>"
        f"<h1>Sign-in failed</h1><p>{_explain(error)}</p>"
        f"<p>Error code: <code>{html.escape(code.value)}</code></p>"
        f"<p>Reference: <code>{html.escape(correlation_id)}</code></p></html>"
    )
    headers = {**NO_STORE, "Content-Security-Policy": "default-src 'none'"}
    return Response(content=body, status_code=status, media_type="text/html", headers=headers)


def browser_error(error: SignInError, correlation_id: str) -> Response[bytes] | Response[str]:
    """Back to the origin the core tied the failure to (`core.rules.landing.error_origin`)
    with `?error=<code>`, else a plain page: no trusted origin is known."""
    origin = error.frontend_origin
    if origin is None:
        return error_page(error, correlation_id)
    return redirect(error_location(origin, error.code))


# The workspace API's refusals (core.errors.AdminErrorCode), by HTTP status.
ADMIN_STATUS = {
    AdminErrorCode.INVALID_REQUEST: 400,
    AdminErrorCode.INVITE_INVALID: 400,
    AdminErrorCode.FORBIDDEN: 403,
    AdminErrorCode.ROLE_TOO_HIGH: 403,
    AdminErrorCode.OWN_ROLE: 403,
    AdminErrorCode.EMAIL_UNVERIFIED: 403,
    AdminErrorCode.EMAIL_MISMATCH: 403,
    AdminErrorCode.NOT_FOUND: 404,
    AdminErrorCode.LAST_OWNER: 409,
    AdminErrorCode.INVITE_PENDING: 409,
    AdminErrorCode.INVITE_USED: 409,
    AdminErrorCode.INVITE_REVOKED: 410,
    AdminErrorCode.INVITE_EXPIRED: 410,
}


def admin_error(error: AdminError, correlation_id: str) -> Response[dict[str, str]]:
    headers = {"Cache-Control": "no-store", "X-Correlation-Id": correlation_id}
    status = ADMIN_STATUS[error.code]
    return Response(content={"error": error.code.value}, status_code=status, headers=headers)


def api_error(error: SignInError, correlation_id: str) -> Response[dict[str, str]]:
    status = _API_STATUS.get(error.code, HTTP_400_BAD_REQUEST)
    headers = {"Cache-Control": "no-store", "X-Correlation-Id": correlation_id}
    if status == HTTP_401_UNAUTHORIZED:
        headers["WWW-Authenticate"] = f'Bearer error="{error.code.value}"'
    if status == HTTP_503_SERVICE_UNAVAILABLE:
        headers["Retry-After"] = "5"
    return Response(content={"error": error.code.value}, status_code=status, headers=headers)
