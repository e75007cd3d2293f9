"""Fixed-window hit counters in this process (the embedded default: one process only)."""
from __future__ import annotations

import time
from collections.abc import Callable

MAX_KEYS = 50_000  # bound memory: the oldest windows are dropped first


class MemoryHitCounter:
    """Counts hits per key in fixed windows of `window` seconds, started by a key's first
    hit. Only this process's hits count: behind a load balancer use the Redis one."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}

    async def hit(self, key: str, window: float) -> tuple[int, float]:
        """Count one hit; returns the window's hits so far (this one included) and the
        seconds until the window ends."""
        now = self._clock()
        start, count = self._windows.pop(key, (now, 0))
        if now - start >= window:
            start, count = now, 0
        self._windows[key] = (start, count + 1)  # re-inserted: the newest at the end
        if len(self._windows) > MAX_KEYS:
            del self._windows[next(iter(self._windows))]
        return count + 1, max(0.0, start + window - now)

    async def close(self) -> None:
        return None
