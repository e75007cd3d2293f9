"""`core.ports.TokenHandoff` in process memory (the embedded default)."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from core.ports import Clock


class MemoryTokenHandoff:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[str, datetime]] = {}
        self._lock = asyncio.Lock()

    async def put(self, key: str, token: str, ttl: timedelta) -> None:
        now = self._clock.now()
        async with self._lock:
            # drop what has expired, so memory stays bounded by the codes of the last minute
            for stale in [k for k, (_, until) in self._entries.items() if until <= now]:
                del self._entries[stale]
            self._entries[key] = (token, now + ttl)

    async def take(self, key: str) -> str | None:
        async with self._lock:
            entry = self._entries.pop(key, None)
        if entry is None or entry[1] <= self._clock.now():
            return None
        return entry[0]
