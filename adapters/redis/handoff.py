"""`core.ports.TokenHandoff` on Redis: SET with expiry, taken once with GETDEL."""
from __future__ import annotations

from datetime import timedelta

from adapters.redis.connection import ClientSource, resolve, unavailable_on_failure


class RedisTokenHandoff:
    def __init__(
        self, client: ClientSource, prefix: str = "signin:", *, deadline: float | None = None
    ) -> None:
        self._client, self._deadline = resolve(client, deadline)
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self._prefix}handoff:{key}"

    async def put(self, key: str, token: str, ttl: timedelta) -> None:
        milliseconds = max(1, int(ttl.total_seconds() * 1000))
        async with unavailable_on_failure("token hand-off", self._deadline):
            await self._client().set(self._key(key), token, px=milliseconds)

    async def take(self, key: str) -> str | None:
        async with unavailable_on_failure("token hand-off", self._deadline):
            value = await self._client().getdel(self._key(key))
        if value is None:
            return None
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)
