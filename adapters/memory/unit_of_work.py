"""The in-memory unit of work: a private, copy-on-write working set swapped in at commit."""
from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Self

from adapters.memory.clients import MemoryResourceClientRepository
from adapters.memory.organisations import MemoryDirectoryRepository, MemoryProviderRepository
from adapters.memory.people import MemoryAccountRepository, MemoryUserRepository
from adapters.memory.schema import Tables
from adapters.memory.session_records import MemorySessionRepository
from adapters.memory.workspaces import (
    MemoryAuditRepository,
    MemoryInviteRepository,
    MemoryMembershipRepository,
    MemoryRoleMappingRepository,
    MemoryRoleRepository,
    MemoryWorkspaceRepository,
)
from core.ports.repositories import (
    AccountRepository,
    AuditRepository,
    DirectoryRepository,
    InviteRepository,
    MembershipRepository,
    ProviderRepository,
    ResourceClientRepository,
    RoleMappingRepository,
    RoleRepository,
    SessionRepository,
    UserRepository,
    WorkspaceRepository,
)

if TYPE_CHECKING:
    from adapters.memory.database import MemoryDatabase


class MemoryUnitOfWork:
    """A `UnitOfWork` over a `MemoryDatabase` (see there for the concurrency design).

    Writes go to a fork of the committed tables; `commit` makes all of them visible at
    once, `rollback` or leaving without `commit` (with or without an exception) drops them.
    Unique keys are checked at every `add`/`update` against the working set, which already
    holds every earlier commit, so `commit` itself never fails. A unit may commit more than
    once (each commit publishes what was written since the last one); it is entered once.
    """

    def __init__(self, database: MemoryDatabase, *, read_only: bool = False) -> None:
        self._database = database
        self._read_only = read_only
        self._tables: Tables | None = None
        self._entered = False
        self.users: UserRepository = MemoryUserRepository(self._working_set)
        self.accounts: AccountRepository = MemoryAccountRepository(self._working_set)
        self.directories: DirectoryRepository = MemoryDirectoryRepository(self._working_set)
        self.providers: ProviderRepository = MemoryProviderRepository(self._working_set)
        self.workspaces: WorkspaceRepository = MemoryWorkspaceRepository(self._working_set)
        self.roles: RoleRepository = MemoryRoleRepository(self._working_set)
        self.memberships: MembershipRepository = MemoryMembershipRepository(self._working_set)
        self.invites: InviteRepository = MemoryInviteRepository(self._working_set)
        self.sessions: SessionRepository = MemorySessionRepository(self._working_set)
        self.role_mappings: RoleMappingRepository = MemoryRoleMappingRepository(self._working_set)
        self.audit: AuditRepository = MemoryAuditRepository(self._working_set)
        self.clients: ResourceClientRepository = MemoryResourceClientRepository(self._working_set)

    async def __aenter__(self) -> Self:
        if self._entered:
            raise RuntimeError("a unit of work is used once")
        self._entered = True
        if self._read_only:  # committed tables are never changed in place: no lock needed
            self._tables = self._database._snapshot().fork()
            return self
        committed = await self._database._begin()
        try:
            self._tables = committed.fork()
        except BaseException:
            self._database._end()  # __aexit__ never runs when __aenter__ fails
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._tables is not None:
            self._tables = None
            if not self._read_only:
                self._database._end()

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        tables = self._working_set()
        self._database._install(tables)
        self._tables = tables.fork()

    async def rollback(self) -> None:
        self._working_set()
        self._tables = self._database._snapshot().fork()  # read-only too: drop its writes

    def _working_set(self) -> Tables:
        if self._tables is None:
            raise RuntimeError("the unit of work is not open (use `async with`)")
        return self._tables
