"""Workspaces, roles and memberships."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import RowMapping, delete, insert, select, update

from adapters.sql.repositories.base import SqlRepository
from adapters.sql.tables import memberships, role_mappings, roles, workspaces
from core.model import GrantOrigin, MappingSource, Membership, Role, RoleMapping, Workspace


def _workspace(row: RowMapping) -> Workspace:
    return Workspace(
        id=row["id"], name=row["name"], frontend_host=row["frontend_host"],
        editors_invite=bool(row["editors_invite"]),
    )


class SqlWorkspaceRepository(SqlRepository):
    """Workspaces; ids come from the database (1, 2, ...) and are never reused."""

    async def get(self, workspace_id: int) -> Workspace | None:
        statement = select(workspaces).where(workspaces.c.id == workspace_id)
        row = (await self._execute(statement)).mappings().first()
        return None if row is None else _workspace(row)

    async def add(self, name: str, frontend_host: str, *, editors_invite: bool = False) -> Workspace:
        statement = insert(workspaces).values(
            name=name, frontend_host=frontend_host, editors_invite=editors_invite
        )
        result = await self._execute(statement)
        key = result.inserted_primary_key  # None only when no row was inserted: not for one row
        if key is None:
            raise RuntimeError("the database gave no id for the new workspace")
        (workspace_id,) = key
        return Workspace(workspace_id, name, frontend_host, editors_invite)

    async def lock(self, workspace_id: int) -> Workspace | None:
        # FOR UPDATE on PostgreSQL; SQLite's units already hold the one write lock
        statement = select(workspaces).where(workspaces.c.id == workspace_id).with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return None if row is None else _workspace(row)

    async def update(self, workspace: Workspace) -> None:
        statement = (
            update(workspaces)
            .where(workspaces.c.id == workspace.id)
            .values(
                name=workspace.name,
                frontend_host=workspace.frontend_host,
                editors_invite=workspace.editors_invite,
            )
        )
        await self._update_one(statement, workspace.id)

    async def remove(self, workspace_id: int) -> None:
        # memberships go with it (ON DELETE CASCADE); users' last_workspace_id is cleared
        await self._execute(delete(workspaces).where(workspaces.c.id == workspace_id))

    async def list(self) -> Sequence[Workspace]:
        result = await self._execute(select(workspaces).order_by(workspaces.c.id))
        return [_workspace(row) for row in result.mappings()]


def _role(row: RowMapping) -> Role:
    return Role(id=row["id"], name=row["name"], rank=row["rank"])


class SqlRoleRepository(SqlRepository):
    """Roles, unique by id and by name."""

    async def by_name(self, name: str) -> Role | None:
        row = (await self._execute(select(roles).where(roles.c.name == name))).mappings().first()
        return None if row is None else _role(row)

    async def add(self, role: Role) -> None:
        await self._execute(insert(roles).values(id=role.id, name=role.name, rank=role.rank))

    async def list(self) -> Sequence[Role]:
        result = await self._execute(select(roles).order_by(roles.c.rank.desc(), roles.c.name))
        return [_role(row) for row in result.mappings()]


def _membership(row: RowMapping) -> Membership:
    return Membership(
        user_id=row["user_id"],
        workspace_id=row["workspace_id"],
        role=row["role"],
        created_at=row["created_at"],
        origin=GrantOrigin(row["origin"]),
        base_role=row["base_role"],
    )


class SqlMembershipRepository(SqlRepository):
    """Memberships, one per (user, workspace)."""

    async def for_user(self, user_id: str) -> Sequence[Membership]:
        statement = (
            select(memberships)
            .join(workspaces, workspaces.c.id == memberships.c.workspace_id)
            .where(memberships.c.user_id == user_id)
            .order_by(memberships.c.workspace_id)
        )
        return [_membership(row) for row in (await self._execute(statement)).mappings()]

    async def get(self, user_id: str, workspace_id: int) -> Membership | None:
        statement = select(memberships).where(
            memberships.c.user_id == user_id, memberships.c.workspace_id == workspace_id
        )
        row = (await self._execute(statement)).mappings().first()
        return None if row is None else _membership(row)

    async def for_workspace(self, workspace_id: int) -> Sequence[Membership]:
        statement = (
            select(memberships)
            .where(memberships.c.workspace_id == workspace_id)
            .order_by(memberships.c.created_at, memberships.c.user_id)
        )
        return [_membership(row) for row in (await self._execute(statement)).mappings()]

    async def remove(self, user_id: str, workspace_id: int) -> bool:
        statement = delete(memberships).where(
            memberships.c.user_id == user_id, memberships.c.workspace_id == workspace_id
        )
        return bool((await self._execute(statement)).rowcount)

    async def add(self, membership: Membership) -> None:
        await self._execute(
            insert(memberships).values(
                user_id=membership.user_id,
                workspace_id=membership.workspace_id,
                role=membership.role,
                created_at=membership.created_at,
                origin=membership.origin.value,
                base_role=membership.base_role,
            )
        )

    async def update(self, membership: Membership) -> None:
        statement = (
            update(memberships)
            .where(
                memberships.c.user_id == membership.user_id,
                memberships.c.workspace_id == membership.workspace_id,
            )
            .values(role=membership.role, origin=membership.origin.value, base_role=membership.base_role)
        )
        await self._update_one(statement, (membership.user_id, membership.workspace_id))


def _role_mapping(row: RowMapping) -> RoleMapping:
    return RoleMapping(
        id=row["id"], provider_id=row["provider_id"], source=MappingSource(row["source"]),
        value=row["value"], workspace_id=row["workspace_id"], role=row["role"],
    )


class SqlRoleMappingRepository(SqlRepository):
    """Providers' role mappings (app roles, groups -> workspace roles)."""

    _ORDER = (
        role_mappings.c.provider_id, role_mappings.c.workspace_id, role_mappings.c.source,
        role_mappings.c.value, role_mappings.c.id,
    )

    async def for_provider(self, provider_id: str) -> Sequence[RoleMapping]:
        statement = (
            select(role_mappings).where(role_mappings.c.provider_id == provider_id).order_by(*self._ORDER)
        )
        return [_role_mapping(row) for row in (await self._execute(statement)).mappings()]

    async def add(self, mapping: RoleMapping) -> None:
        await self._execute(
            insert(role_mappings).values(
                id=mapping.id, provider_id=mapping.provider_id, source=mapping.source.value,
                value=mapping.value, workspace_id=mapping.workspace_id, role=mapping.role,
            )
        )

    async def remove(self, mapping_id: str) -> bool:
        result = await self._execute(delete(role_mappings).where(role_mappings.c.id == mapping_id))
        return bool(result.rowcount)

    async def list(self) -> Sequence[RoleMapping]:
        statement = select(role_mappings).order_by(*self._ORDER)
        return [_role_mapping(row) for row in (await self._execute(statement)).mappings()]
