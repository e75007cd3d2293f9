"""`core.ports.TokenHandoff` on Redis: SET with expiry, taken once with GETDEL."""
from __future__ import annotations

from datetime import timedelta

from adapters.redis.connection import ClientSource
from adapters.redis.keyspace import Keyspace


class RedisTokenHandoff:
    def __init__(
        self, client: ClientSource, prefix: str = "signin:", *, deadline: float | None = None
    ) -> None:
        self._codes = Keyspace(client, prefix, "handoff", "token hand-off", deadline=deadline)

    async def put(self, key: str, token: str, ttl: timedelta) -> None:
        await self._codes.put(key, token, ttl, at_least=timedelta(0))

    async def take(self, key: str) -> str | None:
        value = await self._codes.get(key, remove=True)
        if value is None:
            return None
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)

    async def close(self) -> None:
        await self._codes.close()
