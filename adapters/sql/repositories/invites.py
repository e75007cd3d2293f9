"""Invites: the applicable ones in one query, and applied at most once."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, insert, or_, select, update

from adapters.sql.repositories.base import SqlRepository
from adapters.sql.tables import invites, workspaces
from core.errors import DuplicateKey
from core.model import Invite, InviteStatus


def _invite(row: RowMapping) -> Invite:
    return Invite(
        id=row["id"],
        email=row["email"],
        workspace_id=row["workspace_id"],
        role=row["role"],
        status=InviteStatus(row["status"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        applied_at=row["applied_at"],
        applied_user_id=row["applied_user_id"],
        invited_by=row["invited_by"],
        token_hash=row["token_hash"],
        revoked_at=row["revoked_at"],
    )


class SqlInviteRepository(SqlRepository):
    """Invites. Applying is a guarded UPDATE (`... WHERE status != 'applied'`): of two
    transactions applying the same invite, PostgreSQL makes the second wait for the first
    and then match no row, and SQLite runs them one after the other; either way the second
    gets `DuplicateKey`."""

    async def get(self, invite_id: str) -> Invite | None:
        statement = select(invites).where(invites.c.id == invite_id)
        row = (await self._execute(statement)).mappings().first()
        return None if row is None else _invite(row)

    async def applicable_for(self, email: str, now: datetime) -> Sequence[Invite]:
        statement = (
            select(invites)
            .join(workspaces, workspaces.c.id == invites.c.workspace_id)
            .where(
                invites.c.email == email,
                invites.c.status == InviteStatus.ACCEPTED.value,
                or_(invites.c.expires_at.is_(None), invites.c.expires_at > now),
            )
            .order_by(invites.c.created_at, invites.c.id)
        )
        return [_invite(row) for row in (await self._execute(statement)).mappings()]

    async def for_workspace(self, workspace_id: int) -> Sequence[Invite]:
        statement = (
            select(invites)
            .where(invites.c.workspace_id == workspace_id)
            .order_by(invites.c.created_at, invites.c.id)
        )
        return [_invite(row) for row in (await self._execute(statement)).mappings()]

    async def update_if(self, invite: Invite, status: InviteStatus) -> bool:
        # the guard is in the WHERE clause: PostgreSQL re-checks it after waiting on a
        # concurrent transaction's row lock, so only one of two racers matches the row
        statement = (
            update(invites)
            .where(invites.c.id == invite.id, invites.c.status == status.value)
            .values(**_values(invite))
        )
        return bool((await self._execute(statement)).rowcount)

    async def add(self, invite: Invite) -> None:
        await self._execute(insert(invites).values(id=invite.id, **_values(invite)))

    async def update(self, invite: Invite) -> None:
        statement = update(invites).where(invites.c.id == invite.id).values(**_values(invite))
        if invite.status is InviteStatus.APPLIED:
            statement = statement.where(invites.c.status != InviteStatus.APPLIED.value)
        result = await self._execute(statement)
        if result.rowcount:
            return
        exists = await self._execute(select(invites.c.id).where(invites.c.id == invite.id))
        if exists.first() is None:
            raise KeyError(invite.id)
        raise DuplicateKey("the invite is already applied")

    async def list(self) -> Sequence[Invite]:
        result = await self._execute(select(invites).order_by(invites.c.created_at, invites.c.id))
        return [_invite(row) for row in result.mappings()]


def _values(invite: Invite) -> dict[str, object]:
    return {
        "email": invite.email,
        "workspace_id": invite.workspace_id,
        "role": invite.role,
        "status": invite.status.value,
        "created_at": invite.created_at,
        "expires_at": invite.expires_at,
        "applied_at": invite.applied_at,
        "applied_user_id": invite.applied_user_id,
        "invited_by": invite.invited_by,
        "token_hash": invite.token_hash,
        "revoked_at": invite.revoked_at,
    }
