"""The in-memory repository of session records (the database's view of sessions)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from adapters.memory.schema import Tables
from core.model import Session


class MemorySessionRepository:
    """`SessionRepository` over a unit's working set. Sessions stay after they close (for
    audit); `open_for_user` filters with `Session.open_at`."""

    def __init__(self, tables: Callable[[], Tables]) -> None:
        self._tables = tables

    async def get(self, session_id: str) -> Session | None:
        return self._tables().sessions.get(session_id)

    async def add(self, session: Session) -> None:
        self._tables().sessions.insert(session)

    async def update(self, session: Session) -> None:
        self._tables().sessions.replace(session)

    async def revoke(self, session_id: str, at: datetime) -> Session | None:
        session = self._tables().sessions.get(session_id)
        if session is None:
            return None
        closed = replace(session, revoked_at=session.revoked_at or at, microsoft_tokens=None)
        self._tables().sessions.replace(closed)
        return closed

    async def extend_idle(self, session_id: str, until: datetime, now: datetime) -> Session | None:
        session = self._tables().sessions.get(session_id)
        if session is None or not session.open_at(now):
            return None
        extended = replace(session, idle_expires_at=until)
        self._tables().sessions.replace(extended)
        return extended

    async def open_for_user(self, user_id: str, now: datetime) -> Sequence[Session]:
        """By creation time, then id."""
        sessions = [
            s for s in self._tables().sessions.rows() if s.user_id == user_id and s.open_at(now)
        ]
        return sorted(sessions, key=lambda s: (s.created_at, s.id))
