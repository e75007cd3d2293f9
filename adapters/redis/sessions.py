"""The session cache on Redis: one small JSON value per session, with an expiry."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.redis.connection import ClientSource
from adapters.redis.keyspace import Keyspace, from_json, to_json
from core.ports.sessions import CachedSession

_FORMAT = 1


class RedisSessionCache:
    """`core.ports.SessionCache` on Redis, under `{prefix}session:{session_id}`.

    The expiry is the caller's `ttl`, at least one second. The database stays the truth:
    this cache is only ever a shortcut (see `core.ports.sessions`), so an entry restored
    from an old Redis snapshot cannot reopen a revoked session.
    """

    def __init__(
        self, client: ClientSource, prefix: str = "signin:", *, deadline: float | None = None
    ) -> None:
        self._entries = Keyspace(client, prefix, "session", "session cache", deadline=deadline)

    async def put(self, entry: CachedSession, ttl: timedelta) -> None:
        value = to_json(_to_json(entry))
        await self._entries.put(entry.session_id, value, ttl, at_least=timedelta(seconds=1))

    async def get(self, session_id: str) -> CachedSession | None:
        return from_json(await self._entries.get(session_id), _from_json, "session cache entry")

    async def delete(self, session_id: str) -> None:
        await self._entries.delete(session_id)

    async def close(self) -> None:
        await self._entries.close()


def _to_json(entry: CachedSession) -> dict[str, Any]:
    if entry.expires_at.tzinfo is None:
        raise ValueError("CachedSession.expires_at must be timezone-aware")
    return {
        "v": _FORMAT,
        "session_id": entry.session_id,
        "user_id": entry.user_id,
        "expires_at": entry.expires_at.astimezone(UTC).isoformat(),
        "revoked": entry.revoked,
    }


def _from_json(data: Any) -> CachedSession:
    if not isinstance(data, dict) or data.get("v") != _FORMAT:
        raise ValueError("unknown session cache format")
    session_id, user_id, expires_at, revoked = (
        data["session_id"], data["user_id"], data["expires_at"], data["revoked"]
    )
    if not all(isinstance(v, str) for v in (session_id, user_id, expires_at)):
        raise TypeError("session cache entry")
    if not isinstance(revoked, bool):
        raise TypeError("revoked")
    moment = datetime.fromisoformat(expires_at)
    if moment.tzinfo is None:
        raise ValueError("naive expires_at")
    return CachedSession(
        session_id=session_id, user_id=user_id, expires_at=moment, revoked=revoked
    )
