"""The unit of work: one transaction, with the repositories that act inside it."""
from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

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


class UnitOfWork(Protocol):
    """An async context manager around one transaction. Leaving it without `commit()` (or
    with an exception) rolls everything back: nothing written inside it is then visible to
    anyone. A unit of work is used once.

    Example::

        async with uow_factory() as uow:
            await uow.users.add(user)
            await uow.commit()
    """

    users: UserRepository
    accounts: AccountRepository
    directories: DirectoryRepository
    providers: ProviderRepository
    workspaces: WorkspaceRepository
    roles: RoleRepository
    memberships: MembershipRepository
    invites: InviteRepository
    sessions: SessionRepository
    role_mappings: RoleMappingRepository
    audit: AuditRepository
    clients: ResourceClientRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None:
        """Make every write of this unit visible at once. Raises `DuplicateKey` when a unique
        key was taken meanwhile (the unit is then rolled back) and
        `SignInError(temporarily_unavailable)` when the database cannot be reached."""
        ...

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Makes units of work. `read_only=True` asks for a unit that only reads: it sees one
    consistent committed state, never waits for nor blocks a writer (no write lock: on
    SQLite a deferred transaction under WAL, on PostgreSQL `READ ONLY`), and never makes a
    write visible (`commit()` raises `RuntimeError`; an adapter may refuse the write itself
    earlier). Checks that only look, such as a token check, use one.

    Example::

        async with uow_factory(read_only=True) as uow:
            session = await uow.sessions.get(session_id)
    """

    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...
