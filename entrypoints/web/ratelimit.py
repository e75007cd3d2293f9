"""A per-client limit on starting logins (each start writes a flow), answering 429 with
`Retry-After`. Per process: behind a load balancer each process counts on its own."""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS

WINDOW_SECONDS = 60.0
MAX_CLIENTS = 50_000  # bound memory: the oldest windows are dropped first


class LoginRateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = per_minute
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}

    def check(self, request: Request[Any, Any, Any]) -> Response[dict[str, str]] | None:
        """None when the client may go on, else the 429 answer to send."""
        client = request.client.host if request.client else "unknown"
        now = self._clock()
        start, count = self._windows.get(client, (now, 0))
        if now - start >= WINDOW_SECONDS:
            start, count = now, 0
        if count >= self._limit:
            retry = max(1, math.ceil(start + WINDOW_SECONDS - now))
            return Response(
                content={"error": "too_many_requests"},
                status_code=HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(retry), "Cache-Control": "no-store"},
            )
        self._windows.pop(client, None)
        self._windows[client] = (start, count + 1)
        if len(self._windows) > MAX_CLIENTS:
            del self._windows[next(iter(self._windows))]
        return None
