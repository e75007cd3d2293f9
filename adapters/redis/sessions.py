"""The session cache on Redis: one small JSON value per session, with an expiry."""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.redis.connection import (
    ClientSource,
    as_source,
    close_source,
    resolve,
    unavailable_on_failure,
)
from core.ports.sessions import CachedSession

log = logging.getLogger(__name__)

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
        self._source = as_source(client)
        self._client, self._deadline = resolve(self._source, deadline)
        self._prefix = prefix

    def _key(self, session_id: str) -> str:
        return f"{self._prefix}session:{session_id}"

    async def put(self, entry: CachedSession, ttl: timedelta) -> None:
        value = json.dumps(_to_json(entry), separators=(",", ":"))
        milliseconds = max(1000, int(ttl.total_seconds() * 1000))
        async with unavailable_on_failure("session cache", self._deadline):
            await self._client().set(self._key(entry.session_id), value, px=milliseconds)

    async def get(self, session_id: str) -> CachedSession | None:
        async with unavailable_on_failure("session cache", self._deadline):
            raw = await self._client().get(self._key(session_id))
        if raw is None:
            return None
        try:
            return _from_json(json.loads(raw))
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("ignored an unreadable session cache entry (%s)", type(exc).__name__)
            return None

    async def delete(self, session_id: str) -> None:
        async with unavailable_on_failure("session cache", self._deadline):
            await self._client().delete(self._key(session_id))

    async def close(self) -> None:
        """Close the client this cache was given (the running loop's, for a connector)."""
        await close_source(self._source)


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
