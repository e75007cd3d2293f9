"""Fixed-window hit counters in Redis, shared by every process of the service.

One key per counted client (`{prefix}ratelimit:{key}`), incremented and given its expiry
in one Lua script, so concurrent processes never lose a hit and a window always ends
(one key per call: cluster-safe). The window's remaining time is Redis's own `PTTL`, so
the processes' clocks do not matter.
"""
from __future__ import annotations

from typing import Any

from adapters.redis.connection import (
    ClientSource,
    as_source,
    close_source,
    resolve,
    unavailable_on_failure,
)

_HIT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


class RedisHitCounter:
    """Like `adapters.memory.ratelimit.MemoryHitCounter`, across processes. A Redis failure
    (or an operation outlasting the deadline) is `SignInError(temporarily_unavailable)`:
    it fails closed, as the flow store the same login needs does."""

    def __init__(
        self, client: ClientSource, prefix: str = "signin:", *, deadline: float | None = None
    ) -> None:
        self._source = as_source(client)
        self._client, self._deadline = resolve(self._source, deadline)
        self._prefix = f"{prefix}ratelimit:"

    async def hit(self, key: str, window: float) -> tuple[int, float]:
        """Count one hit; returns the window's hits so far (this one included) and the
        seconds until the window ends."""
        milliseconds = max(1, int(window * 1000))
        async with unavailable_on_failure("rate limit", self._deadline):
            answer: Any = await self._client().eval(_HIT, 1, self._prefix + key, milliseconds)
        count, ttl = int(answer[0]), int(answer[1])
        return count, ttl / 1000

    async def close(self) -> None:
        await close_source(self._source)
