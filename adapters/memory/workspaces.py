"""In-memory repositories of workspaces, roles, memberships and invites."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from adapters.memory.schema import Tables
from core.errors import DuplicateKey
from core.model import AuditEvent, Invite, InviteStatus, Membership, Role, RoleMapping, Workspace


class MemoryWorkspaceRepository:
    """`WorkspaceRepository` over a unit's working set. Ids come from a sequence that is
    never rewound by a removal (a rolled-back unit gives its ids back, as nothing else saw
    them)."""

    def __init__(self, tables: Callable[[], Tables]) -> None:
        self._tables = tables

    async def get(self, workspace_id: int) -> Workspace | None:
        return self._tables().workspaces.get(workspace_id)

    async def add(self, name: str, frontend_host: str, *, editors_invite: bool = False) -> Workspace:
        tables = self._tables()
        workspace = Workspace(tables.next_workspace_id, name, frontend_host, editors_invite)
        tables.workspaces.insert(workspace)
        tables.next_workspace_id += 1
        return workspace

    async def lock(self, workspace_id: int) -> Workspace | None:
        # units of work are serialised already: holding the workspace costs nothing more
        return await self.get(workspace_id)

    async def update(self, workspace: Workspace) -> None:
        self._tables().workspaces.replace(workspace)

    async def remove(self, workspace_id: int) -> None:
        """Removing an unknown workspace does nothing."""
        tables = self._tables()
        tables.workspaces.delete(workspace_id)
        for membership in tables.memberships.rows():
            if membership.workspace_id == workspace_id:
                tables.memberships.delete((membership.user_id, workspace_id))

    async def list(self) -> Sequence[Workspace]:
        return sorted(self._tables().workspaces.rows(), key=lambda w: w.id)


class MemoryRoleRepository:
    """`RoleRepository` over a unit's working set; ids and names are unique."""

    def __init__(self, tables: Callable[[], Tables]) -> None:
        self._tables = tables

    async def by_name(self, name: str) -> Role | None:
        return self._tables().roles.find("name", name)

    async def add(self, role: Role) -> None:
        self._tables().roles.insert(role)

    async def list(self) -> Sequence[Role]:
        return sorted(self._tables().roles.rows(), key=lambda r: (-r.rank, r.name))


class MemoryMembershipRepository:
    """`MembershipRepository` over a unit's working set; one membership per (user,
    workspace)."""

    def __init__(self, tables: Callable[[], Tables]) -> None:
        self._tables = tables

    async def for_user(self, user_id: str) -> Sequence[Membership]:
        tables = self._tables()
        found = [
            m
            for m in tables.memberships.rows()
            if m.user_id == user_id and tables.workspaces.get(m.workspace_id) is not None
        ]
        return sorted(found, key=lambda m: m.workspace_id)

    async def get(self, user_id: str, workspace_id: int) -> Membership | None:
        return self._tables().memberships.get((user_id, workspace_id))

    async def for_workspace(self, workspace_id: int) -> Sequence[Membership]:
        found = [m for m in self._tables().memberships.rows() if m.workspace_id == workspace_id]
        return sorted(found, key=lambda m: (m.created_at, m.user_id))

    async def add(self, membership: Membership) -> None:
        self._tables().memberships.insert(membership)

    async def remove(self, user_id: str, workspace_id: int) -> bool:
        memberships = self._tables().memberships
        if memberships.get((user_id, workspace_id)) is None:
            return False
        memberships.delete((user_id, workspace_id))
        return True

    async def update(self, membership: Membership) -> None:
        memberships = self._tables().memberships
        stored = memberships.get((membership.user_id, membership.workspace_id))
        if stored is None:
            raise KeyError("no such membership")
        memberships.replace(
            replace(stored, role=membership.role, origin=membership.origin, base_role=membership.base_role)
        )


class MemoryRoleMappingRepository:
    """`RoleMappingRepository` over a unit's working set."""

    def __init__(self, tables: Callable[[], Tables]) -> None:
        self._tables = tables

    @staticmethod
    def _order(m: RoleMapping) -> tuple[str, int, str, str, str]:
        return (m.provider_id, m.workspace_id, m.source.value, m.value, m.id)

    async def for_provider(self, provider_id: str) -> Sequence[RoleMapping]:
        found = [m for m in self._tables().role_mappings.rows() if m.provider_id == provider_id]
        return sorted(found, key=self._order)

    async def add(self, mapping: RoleMapping) -> None:
        self._tables().role_mappings.insert(mapping)

    async def remove(self, mapping_id: str) -> bool:
        table = self._tables().role_mappings
        if table.get(mapping_id) is None:
            return False
        table.delete(mapping_id)
        return True

    async def list(self) -> Sequence[RoleMapping]:
        return sorted(self._tables().role_mappings.rows(), key=self._order)


class MemoryInviteRepository:
    """`InviteRepository` over a unit's working set. An invite reaches APPLIED once: a
    second update to APPLIED raises `DuplicateKey` (another sign-in applied it first)."""

    def __init__(self, tables: Callable[[], Tables]) -> None:
        self._tables = tables

    async def get(self, invite_id: str) -> Invite | None:
        return self._tables().invites.get(invite_id)

    async def applicable_for(self, email: str, now: datetime) -> Sequence[Invite]:
        tables = self._tables()
        found = [
            i
            for i in tables.invites.rows()
            if i.email == email
            and i.applicable(now)
            and tables.workspaces.get(i.workspace_id) is not None
        ]
        return sorted(found, key=lambda i: (i.created_at, i.id))

    async def for_workspace(self, workspace_id: int) -> Sequence[Invite]:
        found = [i for i in self._tables().invites.rows() if i.workspace_id == workspace_id]
        return sorted(found, key=lambda i: (i.created_at, i.id))

    async def add(self, invite: Invite) -> None:
        self._tables().invites.insert(invite)

    async def update_if(self, invite: Invite, status: InviteStatus) -> bool:
        invites = self._tables().invites
        stored = invites.get(invite.id)
        if stored is None or stored.status is not status:
            return False
        invites.replace(invite)
        return True

    async def update(self, invite: Invite) -> None:
        invites = self._tables().invites
        stored = invites.get(invite.id)
        if stored is None:
            raise KeyError("no such invite")
        if stored.status is InviteStatus.APPLIED and invite.status is InviteStatus.APPLIED:
            raise DuplicateKey("invites: already applied")
        invites.replace(invite)

    async def list(self) -> Sequence[Invite]:
        """By creation time, then id."""
        return sorted(self._tables().invites.rows(), key=lambda i: (i.created_at, i.id))



class MemoryAuditRepository:
    """`AuditRepository` over a unit's working set."""

    def __init__(self, tables: Callable[[], Tables]) -> None:
        self._tables = tables

    async def add(self, event: AuditEvent) -> None:
        self._tables().audit_events.insert(event)

    async def for_workspace(self, workspace_id: int, limit: int = 100) -> Sequence[AuditEvent]:
        return [e for e in self._newest() if e.workspace_id == workspace_id][:limit]

    async def list(self, limit: int = 100) -> Sequence[AuditEvent]:
        return self._newest()[:limit]

    def _newest(self) -> Sequence[AuditEvent]:  # not list[...]: `list` is the method above
        return sorted(self._tables().audit_events.rows(), key=lambda e: (e.at, e.id), reverse=True)
