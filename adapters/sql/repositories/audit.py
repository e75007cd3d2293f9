"""Audit events: appended with the change they record, read newest first."""
from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import RowMapping, insert, select

from adapters.sql.repositories.base import SqlRepository
from adapters.sql.tables import audit_events
from core.model import AuditEvent


def _event(row: RowMapping) -> AuditEvent:
    details = json.loads(row["details"])
    return AuditEvent(
        id=row["id"],
        at=row["at"],
        actor_id=row["actor_id"],
        action=row["action"],
        workspace_id=row["workspace_id"],
        target=row["target"],
        details=tuple((str(k), str(v)) for k, v in details),
        correlation_id=row["correlation_id"],
    )


class SqlAuditRepository(SqlRepository):
    """Audit events; `details` is kept as a JSON list of [name, value] pairs (in order)."""

    async def add(self, event: AuditEvent) -> None:
        await self._execute(
            insert(audit_events).values(
                id=event.id,
                at=event.at,
                actor_id=event.actor_id,
                action=event.action,
                workspace_id=event.workspace_id,
                target=event.target,
                details=json.dumps([list(pair) for pair in event.details]),
                correlation_id=event.correlation_id,
            )
        )

    async def for_workspace(self, workspace_id: int, limit: int = 100) -> Sequence[AuditEvent]:
        statement = (
            select(audit_events)
            .where(audit_events.c.workspace_id == workspace_id)
            .order_by(audit_events.c.at.desc(), audit_events.c.id.desc())
            .limit(limit)
        )
        return [_event(row) for row in (await self._execute(statement)).mappings()]

    async def list(self, limit: int = 100) -> Sequence[AuditEvent]:
        statement = (
            select(audit_events)
            .order_by(audit_events.c.at.desc(), audit_events.c.id.desc())
            .limit(limit)
        )
        return [_event(row) for row in (await self._execute(statement)).mappings()]
