"""The SQL unit of work: one connection, one transaction, rolled back unless committed."""
from __future__ import annotations

import logging
from types import TracebackType
from typing import Self

from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.crypto import TokenCipher
from adapters.sql.errors import translated
from adapters.sql.repositories import (
    SqlAccountRepository,
    SqlAuditRepository,
    SqlDirectoryRepository,
    SqlInviteRepository,
    SqlMembershipRepository,
    SqlProviderRepository,
    SqlResourceClientRepository,
    SqlRoleRepository,
    SqlSessionRepository,
    SqlUserRepository,
    SqlWorkspaceRepository,
)

log = logging.getLogger(__name__)

READ_ONLY = "signin_read_only"


def read_only_options(engine: AsyncEngine) -> dict[str, bool]:
    """Execution options of a read-only unit: our own marker (the SQLite begin hook reads
    it) and, on PostgreSQL, the driver's READ ONLY transaction."""
    options = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return options


class SqlUnitOfWork:
    """A `core.ports.UnitOfWork` over one database transaction.

    A read-only unit (`read_only=True`) never takes SQLite's write lock and is a READ ONLY
    transaction on PostgreSQL; its `commit()` raises `RuntimeError`.

    Every repository statement runs at once inside the transaction (nothing is deferred),
    so a taken unique key raises `DuplicateKey` at the `add` that takes it. The connection
    goes back to the pool when the unit is left, committed or not.
    """

    users: SqlUserRepository
    accounts: SqlAccountRepository
    directories: SqlDirectoryRepository
    providers: SqlProviderRepository
    workspaces: SqlWorkspaceRepository
    roles: SqlRoleRepository
    memberships: SqlMembershipRepository
    invites: SqlInviteRepository
    sessions: SqlSessionRepository
    audit: SqlAuditRepository
    clients: SqlResourceClientRepository

    def __init__(self, engine: AsyncEngine, cipher: TokenCipher, *, read_only: bool = False):
        self._engine = engine
        self._cipher = cipher
        self._read_only = read_only
        self._connection: AsyncConnection | None = None
        self._used = False

    async def __aenter__(self) -> Self:
        if self._used:
            raise RuntimeError("a unit of work is used once; ask the factory for a new one")
        self._used = True
        with translated():
            connection = await self._engine.connect()
            try:
                if self._read_only:
                    # SQLite: a deferred BEGIN (no write lock); PostgreSQL: READ ONLY
                    connection = await connection.execution_options(**read_only_options(self._engine))
                await connection.begin()
            except BaseException:
                await connection.close()
                raise
        self._connection = connection
        self.users = SqlUserRepository(connection)
        self.accounts = SqlAccountRepository(connection)
        self.directories = SqlDirectoryRepository(connection)
        self.providers = SqlProviderRepository(connection)
        self.workspaces = SqlWorkspaceRepository(connection)
        self.roles = SqlRoleRepository(connection)
        self.memberships = SqlMembershipRepository(connection)
        self.invites = SqlInviteRepository(connection)
        self.sessions = SqlSessionRepository(connection, self._cipher)
        self.audit = SqlAuditRepository(connection)
        self.clients = SqlResourceClientRepository(connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self._connection
        if connection is None:
            return
        try:
            await self._quiet_rollback(connection)
        finally:
            self._connection = None
            await connection.close()

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        connection = self._active()
        with translated():
            await connection.commit()

    async def rollback(self) -> None:
        await self._quiet_rollback(self._active())

    def _active(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("the unit of work is not entered")
        return self._connection

    @staticmethod
    async def _quiet_rollback(connection: AsyncConnection) -> None:
        # A broken connection cannot roll back, but then nothing of the unit was committed
        # either; the original error (if any) is the one worth raising.
        if not connection.in_transaction():
            return
        try:
            await connection.rollback()
        except (exc.SQLAlchemyError, OSError) as error:
            log.warning("rollback failed (%s); the connection is discarded", type(error).__name__)
            await connection.invalidate()
