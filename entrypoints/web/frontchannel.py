"""Microsoft's front-channel logout (OpenID Connect Front-Channel Logout 1.0): when a person
signs out at Microsoft, Microsoft's sign-out page loads this URL in a hidden iframe with
`iss` and `sid`, and every session opened with that Microsoft session closes.

The page may be framed by Microsoft's origins only (`frame-ancestors`: the configured
authorities' origins), is never cached, and answers the same to a repeated call.
"""
from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from litestar import Request, Response, get
from litestar.params import Parameter

from core.usecases.revalidation import MAX_ISSUER, MAX_MICROSOFT_SID, FrontChannelLogout
from entrypoints.settings import Settings
from entrypoints.web import openapi_shapes as doc
from entrypoints.web.correlation import correlation_id
from entrypoints.web.events import SecurityLog

_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Signed out</title>"
    "<p>Signed out.</p></html>"
)


def frame_ancestors(settings: Settings) -> str:
    """The origins of the configured authorities (Microsoft's sign-out pages), space-separated."""
    origins: list[str] = []
    for authority in settings.authorities:
        parts = urlsplit(authority.authority)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in origins:
            origins.append(origin)
    return " ".join(origins) or "'none'"


@get("/logout/frontchannel", summary="Microsoft signed the person out (front-channel logout)",
     media_type="text/html", response_description="A blank page (Microsoft frames it)",
     responses={400: doc.error(doc.BAD_PARAMETER)})
async def frontchannel_logout(
    request: Request[Any, Any, Any],
    frontchannel: FrontChannelLogout,
    settings: Settings,
    security_log: SecurityLog,
    sid: Annotated[str | None, Parameter(query="sid", max_length=MAX_MICROSOFT_SID)] = None,
    iss: Annotated[str | None, Parameter(query="iss", max_length=MAX_ISSUER)] = None,
) -> Response[str]:
    done = await frontchannel(iss, sid)
    correlation = correlation_id(request)
    security_log.frontchannel_logout([(s.user_id, s.id) for s in done.closed], correlation)
    headers = {
        "Cache-Control": "no-store",
        "Content-Security-Policy": f"default-src 'none'; frame-ancestors {frame_ancestors(settings)}",
    }
    return Response(content=_PAGE, media_type="text/html", headers=headers)
