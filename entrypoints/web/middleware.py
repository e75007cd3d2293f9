"""The edge: every answer of the service, whatever its route or none, passes through here.

Litestar runs the `middleware=` of an app only for requests that matched a route: a 404, a
405 or a CORS preflight (answered by Litestar's CORS middleware, which wraps the router)
never reaches it. So the edge is not a Litestar middleware: `install_edge(app)` wraps the
app's outermost ASGI handler (`Litestar.asgi_handler`, which holds the CORS middleware, the
app-level exception handlers and the router), inside `Litestar.__call__`. It gives every
request:

- the client's address, resolved from `X-Forwarded-For` when the peer is a trusted proxy
  (proxies.py), as `scope["client"]` for everything after it;
- a correlation id (the caller's well-formed `X-Request-ID` or `traceparent` trace id, else
  a fresh one: request_ids.py), answered in `X-Correlation-Id` and `X-Request-ID` and
  kept in `scope["state"]["correlation_id"]`;
- limits on query string, headers and body (bodies.py), refused with a 4xx before any
  route or Litestar parser sees them;
- security headers, and `Cache-Control: no-store` / `Pragma: no-cache` on every answer that
  did not choose a cache policy of its own (RFC 6749 §5.1: an answer carrying a token or
  personal data must never be stored; JWKS chooses `public, max-age=...`);
- one access-log line (method, path without its query string, status, time), with the
  correlation id also in `CORRELATION` for the log formatter;
- `on_respond(scope)` as the answer starts (the trace's span, which ends with the answer,
  is named after the route) and `on_answer(scope, status, seconds)` once it is sent
  (metrics): by then Litestar's router has put the matched route in `scope["path_template"]`.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.correlation import CORRELATION
from entrypoints.web.bodies import MAX_BODY_BYTES, BodyRefused, check_body
from entrypoints.web.proxies import TrustedProxies
from entrypoints.web.request_ids import correlation_for

access_log = logging.getLogger("azure_signin.access")
OnAnswer = Callable[[Scope, int, float], None]
OnRespond = Callable[[Scope], None]

MAX_QUERY_BYTES = 4096
MAX_HEADER_BYTES = 16384
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
NO_STORE = [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]
CORRELATION_HEADERS = (b"x-correlation-id", b"x-request-id")


def install_edge(
    app: Litestar,
    proxies: TrustedProxies | None = None,
    on_answer: OnAnswer | None = None,
    on_respond: OnRespond | None = None,
) -> Litestar:
    """Put the edge around everything `app` answers; returns `app`."""
    app.asgi_handler = edge(app.asgi_handler, proxies or TrustedProxies(), on_answer, on_respond)
    return app


def _forwarded_for(scope: Scope) -> list[bytes]:
    return [bytes(v) for k, v in scope.get("headers", []) if k.lower() == b"x-forwarded-for"]


def _resolve_client(scope: Scope, proxies: TrustedProxies) -> None:
    peer = scope.get("client")
    host = peer[0] if peer else None
    client = proxies.client(host, _forwarded_for(scope))
    if client != host:
        scope["client"] = (client, 0)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value)
    return None


def _frame_ancestors_set(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(
        k.lower() == b"content-security-policy" and b"frame-ancestors" in v for k, v in headers
    )


def _finish_headers(headers: list[tuple[bytes, bytes]], correlation: str) -> list[tuple[bytes, bytes]]:
    # the edge alone names the request: an id a handler set is replaced, never doubled
    headers = [(k, v) for k, v in headers if k.lower() not in CORRELATION_HEADERS]
    present = {k.lower() for k, _ in headers}
    if _frame_ancestors_set(headers):
        # a page that names who may frame it (front-channel logout): the blanket DENY
        # would override that in older browsers
        present.add(b"x-frame-options")
    out = list(headers)
    out += [h for h in SECURITY_HEADERS if h[0] not in present]
    if b"cache-control" not in present:
        out += [h for h in NO_STORE if h[0] not in present]
    elif b"pragma" not in present and any(
        k.lower() == b"cache-control" and b"no-store" in v.lower() for k, v in headers
    ):
        out.append((b"pragma", b"no-cache"))
    out += [(name, correlation.encode()) for name in CORRELATION_HEADERS]
    return out


async def _refuse(send: Send, refused: BodyRefused) -> None:
    body = json.dumps({"error": "invalid_request", "detail": refused.reason}).encode()
    await send({
        "type": "http.response.start",
        "status": refused.status,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body, or None when the client went away. Stops reading past the limit."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = bytes(message.get("body", b""))
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BodyRefused(413, "request body too large")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body already read, then the client's own."""
    pending = [body]

    async def replay() -> Any:
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": False}
        return await receive()
    return replay


def _refusal(scope: Scope) -> BodyRefused | None:
    """A 4xx for a request whose line or headers are over the limits, checked before reading."""
    if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
        return BodyRefused(414, "URI too long")
    if sum(len(k) + len(v) for k, v in scope.get("headers", [])) > MAX_HEADER_BYTES:
        return BodyRefused(431, "Request headers too large")
    declared = _header(scope, b"content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        return BodyRefused(413 if declared.isdigit() else 400, "request body too large or malformed")
    return None


def edge(
    app: ASGIApp,
    proxies: TrustedProxies | None = None,
    on_answer: OnAnswer | None = None,
    on_respond: OnRespond | None = None,
) -> ASGIApp:
    """The edge around `app` (see the module's docstring)."""
    trusted = proxies or TrustedProxies()

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        _resolve_client(scope, trusted)
        correlation = correlation_for(
            _header(scope, b"x-request-id"), _header(scope, b"traceparent")
        )
        state: dict[str, Any] = scope.setdefault("state", {})
        state["correlation_id"] = correlation
        reset = CORRELATION.set(correlation)
        started = time.perf_counter()
        status = {"code": 0}

        async def send_finished(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                if on_respond is not None:
                    on_respond(scope)
                message["headers"] = _finish_headers(
                    list(message.get("headers", [])), correlation
                )
            await send(message)

        try:
            await _answer(app, scope, receive, send_finished)
        finally:
            seconds = time.perf_counter() - started
            if on_answer is not None:
                on_answer(scope, status["code"], seconds)
            access_log.info(
                "%s %s %s %.1fms [%s]", scope.get("method", "-"), scope.get("path", "-"),
                status["code"] or "-", seconds * 1000, correlation,
            )
            CORRELATION.reset(reset)

    return handle


async def _answer(
    app: ASGIApp, scope: Scope, receive: Receive, send: Callable[[Message], Awaitable[None]]
) -> None:
    refused = _refusal(scope)
    body: bytes | None = b""
    declares_none = _declares_no_body(scope)
    if refused is None:
        try:
            if not declares_none:
                body = await _read_body(receive)
                if body is None:
                    return  # the client disconnected before sending its body: nobody to answer
            content_type = _header(scope, b"content-type")
            check_body(body or b"", content_type.decode("latin-1") if content_type is not None else None)
        except BodyRefused as error:
            refused = error
    if refused is not None:
        await _refuse(send, refused)
        return
    # a request that declares no body has none (HTTP/1.1 framing): the server's own
    # `receive` hands the app that empty body, nothing to read or replay here
    await app(scope, receive if declares_none else _replaying(body or b"", receive), send)


def _declares_no_body(scope: Scope) -> bool:
    """No `Transfer-Encoding` and no `Content-Length` (or one of 0): RFC 9112 section 6.3
    says such a request's body is empty, so the edge has nothing to read."""
    if _header(scope, b"transfer-encoding") is not None:
        return False
    declared = _header(scope, b"content-length")
    return declared is None or declared == b"0"
