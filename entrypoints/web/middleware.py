"""ASGI middleware around the whole app: a correlation id per request, limits on URL and
header size, security headers, and an access log that never prints a query string (the
callback's carries the authorization code and state)."""
from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("azure_signin.access")

MAX_QUERY_BYTES = 4096
MAX_HEADER_BYTES = 16384
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


async def _plain(send: Send, status: int, text: str, correlation: str) -> None:
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                    (b"x-correlation-id", correlation.encode()), *SECURITY_HEADERS],
    })
    await send({"type": "http.response.body", "body": text.encode()})


def _frame_ancestors_set(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(
        k.lower() == b"content-security-policy" and b"frame-ancestors" in v for k, v in headers
    )


def edge_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        correlation = secrets.token_hex(8)
        state: dict[str, Any] = scope.setdefault("state", {})  # type: ignore[typeddict-item]
        state["correlation_id"] = correlation
        started = time.perf_counter()
        status_seen = {"status": 0}
        if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
            status_seen["status"] = 414
            await _plain(send, 414, "URI too long", correlation)
        elif sum(len(k) + len(v) for k, v in scope.get("headers", [])) > MAX_HEADER_BYTES:
            status_seen["status"] = 431
            await _plain(send, 431, "Request headers too large", correlation)
        else:
            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status_seen["status"] = message["status"]
                    headers = list(message.get("headers", []))
                    present = {k.lower() for k, _ in headers}
                    if _frame_ancestors_set(headers):
                        # a page that names who may frame it (front-channel logout): the
                        # blanket DENY would override that in older browsers
                        present.add(b"x-frame-options")
                    headers += [h for h in SECURITY_HEADERS if h[0] not in present]
                    headers.append((b"x-correlation-id", correlation.encode()))
                    message["headers"] = headers  # type: ignore[typeddict-unknown-key]
                await send(message)

            await app(scope, receive, send_with_headers)
        access_log.info(
            "%s %s %s %.1fms [%s]", scope.get("method", "-"), scope.get("path", "-"),
            status_seen["status"], (time.perf_counter() - started) * 1000, correlation,
        )

    return middleware
