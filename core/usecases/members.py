"""Use cases of a workspace's members: list, change a role, remove. Changes lock the
workspace (one change at a time per workspace), so the last-owner rule holds under
concurrency; a refusal writes nothing. After a change, this process forgets what it
remembered of the member's sessions (`RecentPrincipals.forget_user`), so its token checks
see the change at once; other processes see it within the memory's `max_age` (under 1 s)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from core.errors import AdminError, AdminErrorCode
from core.model import AuditEvent, InviteStatus, Membership
from core.ports import Clock, IdGenerator, RecentPrincipals, UnitOfWork, UnitOfWorkFactory
from core.rules.workspaces import (
    Actor,
    check_list_members,
    check_removal,
    check_role_change,
    owners_among,
)
from core.usecases.workspace_access import access, audit_event


@dataclass(frozen=True)
class MemberView:
    user_id: str
    display_name: str
    email: str | None
    role: str
    since: datetime


class ListMembers:
    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

    async def __call__(self, actor: Actor, workspace_id: int) -> tuple[MemberView, ...]:
        async with self._uow() as uow:
            found = await access(uow, actor, workspace_id)
            check_list_members(found.standing)
            views = []
            for m in await uow.memberships.for_workspace(workspace_id):
                user = await uow.users.get(m.user_id)
                name = "" if user is None else user.display_name
                email = None if user is None else user.email or user.display_email
                views.append(MemberView(m.user_id, name, email, m.role, m.created_at))
        return tuple(views)


@dataclass(frozen=True)
class MemberChanged:
    membership: Membership
    event: AuditEvent | None  # None: the member had that role already


async def _target(uow: UnitOfWork, workspace_id: int, user_id: str) -> tuple[Membership, int]:
    memberships = await uow.memberships.for_workspace(workspace_id)
    target = next((m for m in memberships if m.user_id == user_id), None)
    if target is None:
        raise AdminError(AdminErrorCode.NOT_FOUND, "no such member")
    return target, owners_among(memberships)


class ChangeMemberRole:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator,
        recent: RecentPrincipals | None = None,
    ):
        self._uow, self._clock, self._ids, self._recent = uow, clock, ids, recent

    async def __call__(self, actor: Actor, workspace_id: int, user_id: str, role: str) -> MemberChanged:
        now = self._clock.now()
        async with self._uow() as uow:
            found = await access(uow, actor, workspace_id, lock=True)
            new_role = found.roles.get(role)
            if new_role is None:
                raise AdminError(AdminErrorCode.INVALID_REQUEST, "no such role")
            target, owners = await _target(uow, workspace_id, user_id)
            check_role_change(found.standing, target, new_role, found.roles, owners)
            if target.role == new_role.name:
                return MemberChanged(target, None)
            changed = replace(target, role=new_role.name)
            await uow.memberships.update(changed)
            event = audit_event(
                self._ids, now, actor, "member_role_changed", workspace_id, user_id,
                role=new_role.name, was=target.role,
            )
            await uow.audit.add(event)
            await uow.commit()
        forget(self._recent, user_id)
        return MemberChanged(changed, event)


@dataclass(frozen=True)
class MemberRemoved:
    membership: Membership
    invites_revoked: int
    event: AuditEvent


class RemoveMember:
    """Remove a member (or leave). Their open invites to the workspace (pending, or accepted
    and not yet applied) are revoked with it, so no later sign-in or link brings them back."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator,
        recent: RecentPrincipals | None = None,
    ):
        self._uow, self._clock, self._ids, self._recent = uow, clock, ids, recent

    async def __call__(self, actor: Actor, workspace_id: int, user_id: str) -> MemberRemoved:
        now = self._clock.now()
        async with self._uow() as uow:
            found = await access(uow, actor, workspace_id, lock=True)
            target, owners = await _target(uow, workspace_id, user_id)
            check_removal(found.standing, target, found.roles, owners)
            await uow.memberships.remove(user_id, workspace_id)
            user = await uow.users.get(user_id)
            revoked = 0
            open_ = (InviteStatus.PENDING, InviteStatus.ACCEPTED)
            for invite in await uow.invites.for_workspace(workspace_id):
                if user is not None and invite.email == user.email and invite.status in open_:
                    closed = replace(invite, status=InviteStatus.REVOKED, revoked_at=now)
                    revoked += await uow.invites.update_if(closed, invite.status)
            event = audit_event(
                self._ids, now, actor, "member_removed", workspace_id, user_id, was=target.role,
            )
            await uow.audit.add(event)
            await uow.commit()
        forget(self._recent, user_id)
        return MemberRemoved(target, revoked, event)


def forget(recent: RecentPrincipals | None, user_id: str) -> None:
    """This process's token checks stop vouching for the user's old roles at once."""
    if recent is not None:
        recent.forget_user(user_id)
