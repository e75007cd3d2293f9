"""Small response helpers shared by the endpoint modules, including fault preludes."""

from __future__ import annotations

import asyncio
import html
from typing import Any
from urllib.parse import urlencode

from litestar import Response
from litestar.enums import MediaType

from .errors import aad_error, graph_error
from .faults import Fault
from .state import Sandbox

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(content=body, status_code=status, media_type=MediaType.JSON, headers=headers or {})


def html_response(markup: str, status: int = 200) -> Response[Any]:
    return Response(content=markup, status_code=status, media_type=MediaType.HTML, headers=NO_STORE)


def redirect(location: str) -> Response[Any]:
    return Response(content=b"", status_code=302, headers={"Location": location, **NO_STORE})


def with_params(url: str, params: dict[str, str], fragment: bool = False) -> str:
    if fragment:
        return f"{url}#{urlencode(params)}"
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def form_post(url: str, params: dict[str, str]) -> Response[Any]:
    """`response_mode=form_post`: a page that posts the reply to the redirect URI."""
    fields = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
    )
    return html_response(
        f'<!doctype html><html><body onload="document.forms[0].submit()">'
        f'<form method="post" action="{html.escape(url)}">{fields}<noscript>'
        f'<button type="submit">Continue</button></noscript></form></body></html>'
    )


async def fault_prelude(sb: Sandbox, kind: str) -> tuple[Fault | None, Response[Any] | None]:
    """Sleep the standing latency if any; take this call's fault; sleep its latency; answer
    its status or malformed body if any."""
    standing = sb.latency
    if standing is not None and standing.applies_to(kind):
        await asyncio.sleep(standing.draw_seconds())
    fault = sb.faults.take(kind)
    if fault is None:
        return None, None
    if fault.latency_ms:
        await asyncio.sleep(fault.latency_ms / 1000)
    if fault.status is not None:
        return fault, _status_response(sb, kind, fault)
    if fault.malformed_body and kind != "authorize":
        return fault, Response(content=b'{"malformed": tru', status_code=200, media_type=MediaType.JSON)
    return fault, None


def _status_response(sb: Sandbox, kind: str, fault: Fault) -> Response[Any]:
    status = int(fault.status or 500)
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    now = sb.now()
    if kind == "graph":
        body: Any = graph_error(status, "Injected fault.", now)
    elif kind == "authorize":
        return Response(
            content=f"<h1>Sandbox fault: HTTP {status}</h1>",
            status_code=status,
            media_type=MediaType.HTML,
            headers=headers,
        )
    else:
        body = aad_error(9002313, now, sb.origin)
        body["error"] = "temporarily_unavailable" if status in {429, 503} else "server_error"
        body["error_description"] = body["error_description"].replace(
            "Invalid request. Request is malformed or invalid.", f"Injected fault: HTTP {status}."
        )
    return json_response(body, status, headers)
