"""The session cache: a fast, shared view of open and revoked sessions.

The database stays the truth: a cache that says a session is open is always confirmed
against the database's revocation before a request is let through (see
`core.usecases.authenticate`), so a restored or failed-over cache can never resurrect a
revoked session. A cache that says *revoked* is believed at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True)
class CachedSession:
    session_id: str
    user_id: str
    expires_at: datetime
    revoked: bool = False


class SessionCache(Protocol):
    async def put(self, entry: CachedSession, ttl: timedelta) -> None:
        """Store `entry` under its session id for at most `ttl` (a positive duration).
        Raises `SignInError(temporarily_unavailable)` when the cache cannot be reached."""
        ...

    async def get(self, session_id: str) -> CachedSession | None:
        """The entry, or None when unknown or expired. Raises
        `SignInError(temporarily_unavailable)` when the cache cannot be reached."""
        ...

    async def delete(self, session_id: str) -> None:
        """Forget the entry; deleting an unknown id is not an error."""
        ...
