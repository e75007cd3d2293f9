"""Sessions, with their Microsoft tokens encrypted at rest."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.crypto import TokenCipher
from adapters.sql.repositories.base import SqlRepository
from adapters.sql.tables import sessions
from core.model import MicrosoftTokens, Session


def _open_at(now: datetime) -> ColumnElement[bool]:
    return and_(
        sessions.c.revoked_at.is_(None),
        sessions.c.idle_expires_at > now,
        sessions.c.expires_at > now,
    )


def _lease_free(now: datetime) -> ColumnElement[bool]:
    return or_(sessions.c.confirm_lease_until.is_(None), sessions.c.confirm_lease_until <= now)

log = logging.getLogger(__name__)


class SqlSessionRepository(SqlRepository):
    """Sessions. `microsoft_tokens` is stored sealed by `TokenCipher` (bound to the session
    id); a session updated with `microsoft_tokens=None` (logout) has the ciphertext deleted.
    """

    def __init__(self, connection: AsyncConnection, cipher: TokenCipher):
        super().__init__(connection)
        self._cipher = cipher

    def _values(self, session: Session) -> dict[str, Any]:
        tokens = session.microsoft_tokens
        return {
            "user_id": session.user_id,
            "account_id": session.account_id,
            "authority": session.authority,
            "created_at": session.created_at,
            "idle_expires_at": session.idle_expires_at,
            "expires_at": session.expires_at,
            "revoked_at": session.revoked_at,
            "microsoft_tokens": None if tokens is None else self._cipher.seal(tokens, session.id),
            "microsoft_sid": session.microsoft_sid,
            "microsoft_issuer": session.microsoft_issuer,
            "confirmed_at": session.confirmed_at,
            "confirm_lease_until": session.confirm_lease_until,
        }

    def _tokens(self, sealed: bytes | None, session_id: str) -> MicrosoftTokens | None:
        if sealed is None:
            return None
        try:
            return self._cipher.open(bytes(sealed), session_id)
        except ValueError:
            # a rotated key loses the kept tokens, not the session: the user stays signed in
            log.warning("kept Microsoft tokens of a session could not be decrypted; ignoring them")
            return None

    def _session(self, row: RowMapping) -> Session:
        return Session(
            id=row["id"],
            user_id=row["user_id"],
            account_id=row["account_id"],
            authority=row["authority"],
            created_at=row["created_at"],
            idle_expires_at=row["idle_expires_at"],
            expires_at=row["expires_at"],
            revoked_at=row["revoked_at"],
            microsoft_tokens=self._tokens(row["microsoft_tokens"], row["id"]),
            microsoft_sid=row["microsoft_sid"],
            microsoft_issuer=row["microsoft_issuer"],
            confirmed_at=row["confirmed_at"],
            confirm_lease_until=row["confirm_lease_until"],
        )

    async def get(self, session_id: str) -> Session | None:
        statement = select(sessions).where(sessions.c.id == session_id)
        row = (await self._execute(statement)).mappings().first()
        return None if row is None else self._session(row)

    async def add(self, session: Session) -> None:
        await self._execute(insert(sessions).values(id=session.id, **self._values(session)))

    async def revoke(self, session_id: str, at: datetime) -> Session | None:
        # One UPDATE (it takes the row lock): the earlier revocation time wins, the sealed
        # Microsoft tokens are deleted whatever any other unit of work read before.
        statement = (
            update(sessions)
            .where(sessions.c.id == session_id)
            .values(revoked_at=func.coalesce(sessions.c.revoked_at, at), microsoft_tokens=None)
        )
        if (await self._execute(statement)).rowcount == 0:
            return None
        return await self.get(session_id)

    async def extend_idle(self, session_id: str, until: datetime, now: datetime) -> Session | None:
        # The guard is in the WHERE clause, which PostgreSQL re-checks after waiting for a
        # concurrent writer's row lock: a revocation committed meanwhile makes this match
        # nothing, instead of being overwritten by a stale copy of the row.
        statement = (
            update(sessions)
            .where(
                sessions.c.id == session_id,
                sessions.c.revoked_at.is_(None),
                sessions.c.idle_expires_at > now,
                sessions.c.expires_at > now,
            )
            .values(idle_expires_at=until)
        )
        if (await self._execute(statement)).rowcount == 0:
            return None
        return await self.get(session_id)

    async def open_for_user(self, user_id: str, now: datetime) -> Sequence[Session]:
        statement = (
            select(sessions)
            .where(
                sessions.c.user_id == user_id,
                sessions.c.revoked_at.is_(None),
                sessions.c.idle_expires_at > now,
                sessions.c.expires_at > now,
            )
            .order_by(sessions.c.created_at, sessions.c.id)
        )
        return [self._session(row) for row in (await self._execute(statement)).mappings()]

    async def claim_for_confirmation(
        self, now: datetime, confirmed_before: datetime, lease_until: datetime, limit: int
    ) -> Sequence[Session]:
        last_confirmed = func.coalesce(sessions.c.confirmed_at, sessions.c.created_at)
        due = (
            select(sessions.c.id)
            .where(_open_at(now), _lease_free(now), last_confirmed < confirmed_before)
            .order_by(last_confirmed, sessions.c.id)
            .limit(max(limit, 0))
        )
        claimed: list[Session] = []
        for session_id in (await self._execute(due)).scalars().all():
            # Guarded by the lease still being free: PostgreSQL re-checks the WHERE clause
            # after waiting on a concurrent claimer's row lock, so one claimer wins.
            take = (
                update(sessions)
                .where(sessions.c.id == session_id, _open_at(now), _lease_free(now))
                .values(confirm_lease_until=lease_until)
            )
            if (await self._execute(take)).rowcount == 1:
                session = await self.get(session_id)
                if session is not None:
                    claimed.append(session)
        return claimed

    async def confirm(
        self, session_id: str, tokens: MicrosoftTokens, at: datetime, now: datetime
    ) -> Session | None:
        statement = (
            update(sessions)
            .where(sessions.c.id == session_id, _open_at(now))
            .values(
                microsoft_tokens=self._cipher.seal(tokens, session_id),
                confirmed_at=at,
                confirm_lease_until=None,
            )
        )
        if (await self._execute(statement)).rowcount == 0:
            return None
        return await self.get(session_id)

    async def revoke_by_microsoft_sid(
        self, issuer: str, microsoft_sid: str, at: datetime
    ) -> Sequence[Session]:
        matching = (
            sessions.c.microsoft_sid == microsoft_sid,
            sessions.c.microsoft_issuer == issuer,
            sessions.c.revoked_at.is_(None),
        )
        found = select(sessions.c.id).where(*matching).order_by(sessions.c.created_at, sessions.c.id)
        ids = list((await self._execute(found)).scalars().all())
        closed: list[Session] = []
        for session_id in ids:
            statement = (
                update(sessions)
                .where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
                .values(revoked_at=at, microsoft_tokens=None)
            )
            if (await self._execute(statement)).rowcount == 1:
                session = await self.get(session_id)
                if session is not None:
                    closed.append(session)
        return closed
