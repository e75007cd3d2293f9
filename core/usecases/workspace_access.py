"""What the workspace use cases share: the actor's standing in a workspace, and audit rows.

A workspace the actor is not a member of is answered `not_found`, exactly like one that
does not exist: a member of one workspace learns nothing about another.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from core.errors import AdminError, AdminErrorCode
from core.model import AuditEvent, Role, Workspace
from core.ports import IdGenerator, UnitOfWork
from core.rules.workspaces import Actor, Standing


@dataclass(frozen=True)
class Access:
    workspace: Workspace
    standing: Standing
    roles: Mapping[str, Role]


async def roles_by_name(uow: UnitOfWork) -> dict[str, Role]:
    return {role.name: role for role in await uow.roles.list()}


async def access(uow: UnitOfWork, actor: Actor, workspace_id: int, *, lock: bool = False) -> Access:
    """The workspace and the actor's standing in it; `not_found` when the actor (not the
    operator) is no member. `lock` holds the workspace until the unit ends."""
    workspaces = uow.workspaces
    workspace = await (workspaces.lock(workspace_id) if lock else workspaces.get(workspace_id))
    if workspace is None:
        raise AdminError(AdminErrorCode.NOT_FOUND, "no such workspace")
    roles = await roles_by_name(uow)
    if actor.user_id is None:
        return Access(workspace, Standing(actor, None), roles)
    held = await uow.memberships.get(actor.user_id, workspace_id)
    role = None if held is None else roles.get(held.role)
    if role is None:
        raise AdminError(AdminErrorCode.NOT_FOUND, "no such workspace")
    return Access(workspace, Standing(actor, role), roles)


def audit_event(
    ids: IdGenerator, now: datetime, actor: Actor, action: str, workspace_id: int, target: str,
    **details: str,
) -> AuditEvent:
    return AuditEvent(
        id=ids.new_id(),
        at=now,
        actor_id=actor.user_id,
        action=action,
        workspace_id=workspace_id,
        target=target,
        details=tuple(sorted(details.items())),
        correlation_id=actor.correlation_id,
    )
