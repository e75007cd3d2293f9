"""The in-process session cache."""
from __future__ import annotations

from datetime import timedelta

from adapters.memory.expiring import ExpiringMap
from core.ports.clock import Clock
from core.ports.sessions import CachedSession


class MemorySessionCache:
    """A `SessionCache` in this process's memory, for the embedded default and tests.

    Entries are frozen values, kept until their `ttl` has passed on the injected clock;
    expired entries are purged on every call. A later `put` for the same session replaces
    the earlier entry (the database stays the truth, see `core.ports.sessions`).

    Example::

        cache = MemorySessionCache(SystemClock())
        await cache.put(CachedSession("s1", "u1", expires_at), timedelta(minutes=5))
        assert (await cache.get("s1")).user_id == "u1"
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._entries: ExpiringMap[str, CachedSession] = ExpiringMap()

    async def put(self, entry: CachedSession, ttl: timedelta) -> None:
        if ttl <= timedelta(0):
            raise ValueError("a cache entry's ttl must be positive")
        now = self._clock.now()
        self._entries.put(entry.session_id, entry, now + ttl, now)

    async def get(self, session_id: str) -> CachedSession | None:
        return self._entries.get(session_id, self._clock.now())

    async def delete(self, session_id: str) -> None:
        self._entries.delete(session_id)

    def __len__(self) -> int:
        """Entries alive or expired but not yet purged (an upper bound, for monitoring)."""
        return len(self._entries)
