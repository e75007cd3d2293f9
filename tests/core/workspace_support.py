"""The workspace use cases wired to the in-memory adapters, with people put straight into
the database (no sign-in needed to hold a role)."""
from __future__ import annotations

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


async def refused(code: AdminErrorCode, awaitable: object) -> AdminError:
    with pytest.raises(AdminError) as caught:
        await awaitable  # type: ignore[misc]
    assert caught.value.code is code, caught.value
    return caught.value
