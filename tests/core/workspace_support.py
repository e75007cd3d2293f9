"""The workspace use cases wired to the in-memory adapters, with people put straight into
the database (no sign-in needed to hold a role)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from adapters.memory import ManualClock, MemoryDatabase, SequentialIds
from core.errors import AdminError, AdminErrorCode
from core.model import Membership, User
from core.policy import SignInPolicy
from core.rules.workspaces import Actor
from core.usecases.administration import Administration
from core.usecases.invites import AcceptInvite, CreateInvite, ListInvites, NewInvite, RevokeInvite
from core.usecases.members import ChangeMemberRole, ListMembers, RemoveMember
from core.usecases.workspaces import (
    CreateWorkspace,
    ListAudit,
    ListWorkspaces,
    UpdateWorkspace,
)

FRONTEND = "https://app.contoso.com"
ORIGINS = (FRONTEND, "http://localhost:3001")


@dataclass
class Team:
    policy: SignInPolicy = field(default_factory=lambda: SignInPolicy(workspace_creators=("*",)))
    clock: ManualClock = field(default_factory=ManualClock)
    ids: SequentialIds = field(default_factory=SequentialIds)
    db: MemoryDatabase = field(default_factory=MemoryDatabase)

    def __post_init__(self) -> None:
        uow, clock, ids = self.db.unit_of_work, self.clock, self.ids
        self.admin = Administration(uow, clock, ids, self.policy)
        self.create_invite = CreateInvite(uow, clock, ids, self.policy)
        self.list_invites = ListInvites(uow, clock)
        self.revoke = RevokeInvite(uow, clock, ids)
        self.accept = AcceptInvite(uow, clock, ids)
        self.members = ListMembers(uow)
        self.change = ChangeMemberRole(uow, clock, ids)
        self.remove = RemoveMember(uow, clock, ids)
        self.create_workspace = CreateWorkspace(uow, clock, ids, self.policy, ORIGINS)
        self.my_workspaces = ListWorkspaces(uow)
        self.update = UpdateWorkspace(uow, clock, ids, ORIGINS)
        self.audit = ListAudit(uow)

    async def setup(self) -> int:
        """Standard roles and one workspace; its id."""
        await self.admin.ensure_roles()
        return (await self.admin.add_workspace("Acme", FRONTEND)).id

    async def person(self, email: str | None, *, name: str = "Person") -> User:
        """A user with a verified `email` (None: an unverified one)."""
        person = User(self.ids.new_id(), email, email or "unverified@example.com", name, self.clock.now())
        async with self.db.unit_of_work() as uow:
            await uow.users.add(person)
            await uow.commit()
        return person

    async def member(self, email: str, role: str, workspace_id: int) -> Actor:
        person = await self.person(email)
        async with self.db.unit_of_work() as uow:
            await uow.memberships.add(Membership(person.id, workspace_id, role, self.clock.now()))
            await uow.commit()
        return Actor(person.id, f"corr-{person.id}")

    async def invite(self, actor: Actor, workspace_id: int, email: str, role: str):
        return await self.create_invite(NewInvite(actor, workspace_id, email, role))

    async def roles(self, workspace_id: int) -> dict[str, str]:
        async with self.db.unit_of_work() as uow:
            return {m.user_id: m.role for m in await uow.memberships.for_workspace(workspace_id)}

    def rows(self) -> dict[str, int]:
        return self.db.row_counts()

    def snapshot(self) -> object:
        """Every committed row, to prove that a refusal changed nothing at all."""
        tables = self.db._committed
        return {name: sorted(map(repr, getattr(tables, name).rows())) for name in self.rows()}


# What each refusal says, by code: the reason the command line prints to the operator and the
# log keeps. It names no address and no token (an invite is named by its id).
E = AdminErrorCode
REASONS: dict[AdminErrorCode, tuple[str, ...]] = {
    E.INVALID_REQUEST: ("a workspace name has 1 to 100 characters", "no such role",
                        "not a valid email address", "the host is not an allowed origin"),
    E.NOT_FOUND: ("no such workspace", "no such member", r"no invite [\w-]+"),
    E.FORBIDDEN: ("only the invited person accepts an invite", "only the operator reads every trail",
                  "the operator adds workspaces with `workspace add`", "unknown user",
                  "you may not create workspaces", "your role may not list this workspace's members",
                  "your role may not manage this workspace's invites",
                  "only an owner may change the workspace", "only an owner may read the audit trail",
                  "only an owner may change another member's role",
                  "only an owner may remove another member"),
    E.ROLE_TOO_HIGH: ("a member above your own role", "a role above your own",
                      "an invite for a role above your own",
                      "an invite may not grant a role above your own"),
    E.OWN_ROLE: ("nobody raises their own role",),
    E.LAST_OWNER: ("a workspace keeps at least one owner",),
    E.INVITE_PENDING: ("a pending invite exists",),
    E.INVITE_INVALID: ("no invite for this token", "not an accept token",
                       "the invite's workspace or role is gone"),
    E.INVITE_USED: ("the invite was accepted already", r"invite [\w-]+ changed meanwhile"),
    E.INVITE_REVOKED: ("the invite was revoked", r"invite [\w-]+ is revoked"),
    E.INVITE_EXPIRED: ("the invite has expired",),
    E.EMAIL_UNVERIFIED: ("the signed-in user has no verified email",),
    E.EMAIL_MISMATCH: ("the invite is for another address",),
}


async def refused(code: AdminErrorCode, awaitable: object, reason: str | None = None) -> AdminError:
    """The refusal `awaitable` raises: `code`, with one of that code's reasons (`reason`
    when given)."""
    with pytest.raises(AdminError) as caught:
        await awaitable  # type: ignore[misc]
    error = caught.value
    assert error.code is code, error
    assert any(re.fullmatch(known, error.detail) for known in REASONS[code]), error
    assert reason is None or error.detail == reason, error
    return error
