"""The in-memory repository of session records (the database's view of sessions)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from adapters.memory.schema import Tables
from core.model import MicrosoftTokens, Session


class MemorySessionRepository:
    """`SessionRepository` over a unit's working set. Sessions stay after they close (for
    audit); `open_for_user` filters with `Session.open_at`."""

    def __init__(self, tables: Callable[[], Tables]) -> None:
        self._tables = tables

    async def get(self, session_id: str) -> Session | None:
        return self._tables().sessions.get(session_id)

    async def add(self, session: Session) -> None:
        self._tables().sessions.insert(session)

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

    async def claim_for_confirmation(
        self, now: datetime, confirmed_before: datetime, lease_until: datetime, limit: int
    ) -> Sequence[Session]:
        table = self._tables().sessions
        due = sorted(
            (
                s for s in table.rows()
                if s.open_at(now)
                and s.last_confirmed < confirmed_before
                and (s.confirm_lease_until is None or s.confirm_lease_until <= now)
            ),
            key=lambda s: (s.last_confirmed, s.id),
        )
        claimed = [replace(s, confirm_lease_until=lease_until) for s in due[:max(limit, 0)]]
        for session in claimed:
            table.replace(session)
        return claimed

    async def confirm(
        self, session_id: str, tokens: MicrosoftTokens, at: datetime, now: datetime
    ) -> Session | None:
        session = self._tables().sessions.get(session_id)
        if session is None or not session.open_at(now):
            return None
        confirmed = replace(session, microsoft_tokens=tokens, confirmed_at=at, confirm_lease_until=None)
        self._tables().sessions.replace(confirmed)
        return confirmed

    async def revoke_by_microsoft_sid(
        self, issuer: str, microsoft_sid: str, at: datetime
    ) -> Sequence[Session]:
        table = self._tables().sessions
        matching = sorted(
            (
                s for s in table.rows()
                if s.revoked_at is None and s.microsoft_issuer == issuer and s.microsoft_sid == microsoft_sid
            ),
            key=lambda s: (s.created_at, s.id),
        )
        closed = [replace(s, revoked_at=at, microsoft_tokens=None) for s in matching]
        for session in closed:
            table.replace(session)
        return closed
