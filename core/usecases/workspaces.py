"""Use cases of workspaces as their people see them: create one (the caller becomes its
owner), list one's own, switch to one (where the next sign-in lands), change name, frontend
host or whether editors invite, and read the audit trail."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from core.errors import AdminError, AdminErrorCode, SignInError
from core.model import AuditEvent, Membership, Role, Workspace
from core.navigation import match_origin
from core.policy import SignInPolicy
from core.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from core.rules.workspaces import (
    OWNER,
    Actor,
    check_owner,
    clean_workspace_name,
    may_create_workspace,
)
from core.usecases.administration import STANDARD_ROLES
from core.usecases.workspace_access import access, audit_event, roles_by_name


def allowed_host(raw: str, allowed_origins: Sequence[str]) -> str:
    """A workspace's frontend host must be one of the service's allowed origins (the
    browser is only ever sent to those)."""
    try:
        return match_origin(raw, allowed_origins)
    except SignInError as error:
        raise AdminError(AdminErrorCode.INVALID_REQUEST, "the host is not an allowed origin") from error


async def _owner_role(uow: UnitOfWork) -> Role:
    """The owner role, creating the standard roles first when the database has none."""
    roles = await roles_by_name(uow)
    if OWNER not in roles:
        next_id = max((r.id for r in roles.values()), default=0) + 1
        for offset, (name, rank) in enumerate(n for n in STANDARD_ROLES if n[0] not in roles):
            await uow.roles.add(Role(next_id + offset, name, rank))
        roles = await roles_by_name(uow)
    return roles[OWNER]


@dataclass(frozen=True)
class WorkspaceCreated:
    workspace: Workspace
    membership: Membership
    event: AuditEvent


class CreateWorkspace:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, policy: SignInPolicy,
        allowed_origins: Sequence[str],
    ):
        self._uow, self._clock, self._ids, self._policy = uow, clock, ids, policy
        self._origins = tuple(allowed_origins)

    async def __call__(self, actor: Actor, name: str, frontend_host: str) -> WorkspaceCreated:
        clean = clean_workspace_name(name)
        host = allowed_host(frontend_host, self._origins)
        user_id = actor.user_id
        if user_id is None:
            raise AdminError(AdminErrorCode.FORBIDDEN, "the operator adds workspaces with `workspace add`")
        now = self._clock.now()
        async with self._uow() as uow:
            user = await uow.users.get(user_id)
            if user is None or not may_create_workspace(user, self._policy.workspace_creators):
                raise AdminError(AdminErrorCode.FORBIDDEN, "you may not create workspaces")
            owner = await _owner_role(uow)
            workspace = await uow.workspaces.add(clean, host)
            membership = Membership(user_id, workspace.id, owner.name, now)
            await uow.memberships.add(membership)
            event = audit_event(
                self._ids, now, actor, "workspace_created", workspace.id, str(workspace.id)
            )
            await uow.audit.add(event)
            await uow.commit()
        return WorkspaceCreated(workspace, membership, event)


@dataclass(frozen=True)
class WorkspaceRole:
    workspace: Workspace
    role: str


class ListWorkspaces:
    """The caller's workspaces with their role in each, by workspace id."""

    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

    async def __call__(self, actor: Actor) -> tuple[WorkspaceRole, ...]:
        if actor.user_id is None:
            return ()
        async with self._uow() as uow:
            memberships = await uow.memberships.for_user(actor.user_id)  # existing workspaces only
            workspaces = {w.id: w for w in await uow.workspaces.list()}
        return tuple(WorkspaceRole(workspaces[m.workspace_id], m.role) for m in memberships)


class SwitchWorkspace:
    """The signed-in user chose the workspace they work in: the next sign-in lands there
    (rule 6's "most recently used", `core.rules.landing.choose_landing`). Members only: a
    workspace the user is no member of is `not_found`, as everywhere. Not audited: the
    audit trail records changes to who may do what, and a switch changes nothing anyone
    else sees."""

    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

    async def __call__(self, actor: Actor, workspace_id: int) -> WorkspaceRole:
        if actor.user_id is None:
            raise AdminError(AdminErrorCode.NOT_FOUND, "the operator has no workspace to be in")
        async with self._uow() as uow:
            found = await access(uow, actor, workspace_id)
            # targeted: a stale copy of the user must never undo a concurrent disable
            await uow.users.set_last_workspace(actor.user_id, workspace_id)
            await uow.commit()
        role = found.standing.role
        assert role is not None  # access() found the actor's membership
        return WorkspaceRole(found.workspace, role.name)


@dataclass(frozen=True)
class WorkspaceChanges:
    name: str | None = None
    frontend_host: str | None = None
    editors_invite: bool | None = None


@dataclass(frozen=True)
class WorkspaceUpdated:
    workspace: Workspace
    event: AuditEvent | None  # None: nothing changed


class UpdateWorkspace:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, allowed_origins: Sequence[str]
    ):
        self._uow, self._clock, self._ids = uow, clock, ids
        self._origins = tuple(allowed_origins)

    async def __call__(
        self, actor: Actor, workspace_id: int, changes: WorkspaceChanges
    ) -> WorkspaceUpdated:
        name = None if changes.name is None else clean_workspace_name(changes.name)
        raw_host = changes.frontend_host
        host = None if raw_host is None else allowed_host(raw_host, self._origins)
        now = self._clock.now()
        async with self._uow() as uow:
            found = await access(uow, actor, workspace_id, lock=True)
            check_owner(found.standing, "change the workspace")
            before = found.workspace
            after = replace(
                before,
                name=before.name if name is None else name,
                frontend_host=before.frontend_host if host is None else host,
                editors_invite=(
                    before.editors_invite if changes.editors_invite is None else changes.editors_invite
                ),
            )
            if after == before:
                return WorkspaceUpdated(before, None)
            await uow.workspaces.update(after)
            changed = {
                field: str(getattr(after, field))
                for field in ("name", "frontend_host", "editors_invite")
                if getattr(after, field) != getattr(before, field)
            }
            event = audit_event(
                self._ids, now, actor, "workspace_updated", workspace_id, str(workspace_id), **changed
            )
            await uow.audit.add(event)
            await uow.commit()
        return WorkspaceUpdated(after, event)


class ListAudit:
    """A workspace's audit trail, newest first, for its owners (and the operator, who may
    also read every workspace's at once with `workspace_id=None`)."""

    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

    async def __call__(
        self, actor: Actor, workspace_id: int | None, limit: int = 100
    ) -> Sequence[AuditEvent]:
        limit = max(1, min(limit, 1000))
        async with self._uow() as uow:
            if workspace_id is None:
                if not actor.is_operator:
                    raise AdminError(AdminErrorCode.FORBIDDEN, "only the operator reads every trail")
                return await uow.audit.list(limit)
            found = await access(uow, actor, workspace_id)
            check_owner(found.standing, "read the audit trail")
            return await uow.audit.for_workspace(workspace_id, limit)
