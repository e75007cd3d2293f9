"""A log of recent requests (method, path, endpoint kind, status), for tests to assert on.

Query strings are never recorded: they carry codes, states and nonces.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from .authorities import endpoint_kind


class RequestLog:
    """The last `size` requests, oldest first."""

    def __init__(self, size: int = 2000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)

    def record(self, method: str, path: str, status: int) -> None:
        entry = {
            "method": method,
            "path": path,
            "kind": endpoint_kind(path),
            "status": status,
            "at": time.time(),
        }
        with self._lock:
            self._entries.append(entry)

    def entries(self, kind: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self._entries if kind is None or e["kind"] == kind]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RequestLogMiddleware:
    """ASGI middleware recording every non-hook HTTP request in the sandbox's `RequestLog`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"].startswith("/_sandbox/"):
            await self.app(scope, receive, send)
            return
        recorded = False

        def record(status: int) -> None:
            nonlocal recorded
            recorded = True
            # Looked up per request: the sandbox state can be swapped (see testing.reset).
            log: RequestLog = scope["app"].state.sandbox.requests
            log.record(scope["method"], scope["path"], status)

        async def capture(message: Message) -> None:
            # Recorded before the answer leaves: a client that has its answer always finds
            # its request in the log (tests count requests right after their call returns).
            if message["type"] == "http.response.start" and not recorded:
                record(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            if not recorded:
                record(500)
