"""The browser's side of a login: start it, and come back from Microsoft."""
from __future__ import annotations

import logging
from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.params import Parameter

from core.errors import ErrorCode, OriginNotAllowed, SignInError
from core.navigation import match_origin
from core.rules.landing import error_origin
from core.usecases.complete_signin import (
    CompleteSignIn,
    CompleteSignInInput,
    PasswordResetStarted,
)
from core.usecases.handoff import IssueHandoffCode
from core.usecases.start_login import StartLogin, StartLoginInput
from entrypoints.settings import Settings
from entrypoints.web import openapi_shapes as doc
from entrypoints.web.answers import browser_error, landing_location, redirect
from entrypoints.web.cookies import binding_cookie, binding_cookie_name, expired_binding_cookie
from entrypoints.web.correlation import correlation_id
from entrypoints.web.events import SecurityLog
from entrypoints.web.ratelimit import LoginRateLimiter

logger = logging.getLogger("azure_signin.web")
MAX_PARAM = 2048


def _listed(origin: str | None, settings: Settings) -> str | None:
    """`origin` when it is allow-listed, else None (nothing here ever falls back)."""
    try:
        return match_origin(origin, settings.allowed_origins) if origin else None
    except SignInError:
        return None


def printable(text: str, limit: int = 120) -> str:
    """Attacker-chosen text made safe for one log line: quoted, printable ASCII only
    (anything else as `?`), cut to `limit` characters."""
    cleaned = "".join(ch if " " <= ch <= "~" else "?" for ch in text[:limit])
    return repr(cleaned + ("..." if len(text) > limit else ""))


def _authority_label(authority: str | None, settings: Settings) -> str:
    """The authority a refused start was for: a configured name (the default when none was
    asked for), else `unknown` (the caller's text never becomes a metric label)."""
    names = [a.name for a in settings.authorities]
    if authority is None:
        return names[0] if names else "unknown"
    return authority if authority in names else "unknown"


@get("/login/aad", summary="Start a login", status_code=302,
     response_description="To Microsoft's sign-in page (a flow-binding cookie set), or back to "
     "the frontend with `?error=<code>`; with the RateLimit fields",
     responses={
         400: doc.error("frontendHost not allow-listed: a plain HTML page; or " + doc.BAD_PARAMETER),
         429: doc.error(doc.codes("too_many_requests") + " (with `Retry-After` and the RateLimit fields)"),
         503: doc.page("sign-in temporarily unavailable and no allow-listed frontendHost to return "
                       "to; or the process has SIGNIN_MAX_SIGNINS_IN_FLIGHT sign-ins in hand "
                       "(with `Retry-After`)"),
     })
async def start_login(
    request: Request[Any, Any, Any],
    settings: Settings,
    start: StartLogin,
    limiter: LoginRateLimiter,
    security_log: SecurityLog,
    frontend_host: Annotated[str | None, Parameter(query="frontendHost", max_length=MAX_PARAM)] = None,
    uri: Annotated[str | None, Parameter(max_length=MAX_PARAM)] = None,
    # `provider` in the outside interface; inside, it is what it names: an authority
    authority: Annotated[str | None, Parameter(query="provider", max_length=64)] = None,
) -> Response[Any]:
    """Validate the frontend origin, start an authorization-code flow (state, nonce, PKCE)
    and send the browser to Microsoft. An origin that is not allowed gets a plain 400; a
    client over the login rate limit a 429 (every answer carries the RateLimit fields)."""
    correlation = correlation_id(request)
    limits: dict[str, str] = {}
    try:
        try:
            verdict = await limiter.check(request)
        except SignInError as error:  # the counter is down: closed, back to an allowed origin
            raise error.at(error_origin(_listed(frontend_host, settings), settings.allowed_origins)) from None
        limits = verdict.headers()
        if not verdict.allowed:
            return verdict.refusal()
        started = await start(StartLoginInput(
            redirect_uri=settings.redirect_uri,
            frontend_host=frontend_host,
            return_path=uri,
            authority=authority,
        ))
    except SignInError as error:
        if isinstance(error, OriginNotAllowed):
            logger.warning("login refused [%s]: frontend origin %s is not in SIGNIN_ALLOWED_ORIGINS",
                           correlation, printable(error.origin))
        security_log.login_failed(error.code, correlation, stage="start",
                                  authority=_authority_label(authority, settings))
        answer = browser_error(error, correlation)
        answer.headers.update(limits)
        return answer
    cookie = binding_cookie(
        settings, started.state, started.binding_secret, int(started.cookie_lifetime.total_seconds())
    )
    answer = redirect(started.auth_uri, cookies=[cookie])
    answer.headers.update(limits)
    return answer


async def _finish(
    request: Request[Any, Any, Any],
    settings: Settings,
    complete: CompleteSignIn,
    issue_code: IssueHandoffCode,
    security_log: SecurityLog,
) -> Response[Any]:
    correlation = correlation_id(request)
    reply = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    state = reply.get("state") or ""
    cookie_value = request.cookies.get(binding_cookie_name(settings, state)) if state else None
    spent = [expired_binding_cookie(settings, state)] if state else []
    try:
        outcome = await complete(CompleteSignInInput(reply, cookie_value, settings.redirect_uri))
        if isinstance(outcome, PasswordResetStarted):
            lifetime = settings.flow_lifetime
            renewed = binding_cookie(settings, outcome.state, cookie_value or "", lifetime)
            return redirect(outcome.auth_uri, cookies=[*spent, renewed])
        token = outcome.token
        if settings.token_delivery == "code":
            try:
                token = await issue_code(outcome.token)
            except SignInError as error:  # back to where the sign-in would have landed
                raise error.at(outcome.frontend_origin) from None
    except SignInError as error:
        if error.code is ErrorCode.SERVER_ERROR:
            logger.error("sign-in failed unexpectedly [%s]", correlation, exc_info=error.__cause__)
        security_log.login_failed(error.code, correlation, stage="callback",
                                  authority=error.authority or "unknown")
        answer = browser_error(error, correlation)
        for cookie in spent:
            answer.set_cookie(cookie)
        return answer
    if outcome.host_not_allowed:
        logger.warning("a workspace host is not in SIGNIN_ALLOWED_ORIGINS; sent to the first one")
    security_log.login_succeeded(outcome.user_id, outcome.session_id, correlation,
                                 authority=outcome.authority or "unknown")
    location = landing_location(outcome.frontend_origin, outcome.landing_path, token, settings.token_delivery)
    return redirect(location, cookies=spent)


@get(["/redirect", "/auth/redirect-uri"], summary="Microsoft's redirect URI (and its alias)",
     status_code=302,
     response_description="To the frontend with the token (as SIGNIN_TOKEN_DELIVERY says) or "
     "with `?error=<code>`, or on to Microsoft's password-reset policy",
     responses={400: doc.page("the sign-in failed and no trusted origin is known to return to "
                              "(several allowed origins, the flow unknown or used)"),
                503: doc.page("the process has twice SIGNIN_MAX_SIGNINS_IN_FLIGHT sign-ins in "
                              "hand: nothing was touched, the same URL works later (with "
                              "`Retry-After` and `Refresh`)")})
async def redirect_endpoint(
    request: Request[Any, Any, Any],
    settings: Settings,
    complete: CompleteSignIn,
    issue_code: IssueHandoffCode,
    security_log: SecurityLog,
) -> Response[Any]:
    """Finish the login: the flow is used once, for the browser that started it."""
    return await _finish(request, settings, complete, issue_code, security_log)
