"""The SQL unit of work: one connection, one transaction, rolled back unless committed."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, Self

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
    SqlRoleMappingRepository,
    SqlRoleRepository,
    SqlSessionRepository,
    SqlUserRepository,
    SqlWorkspaceRepository,
)
from core.errors import ErrorCode, SignInError

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

    With a `deadline` (seconds), the whole unit, from entering to leaving, is bounded: when
    it runs out, the work in progress is cancelled, the transaction rolled back (or the
    connection discarded) and `SignInError(temporarily_unavailable)` raised.
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
    role_mappings: SqlRoleMappingRepository
    audit: SqlAuditRepository
    clients: SqlResourceClientRepository

    def __init__(
        self,
        engine: AsyncEngine,
        cipher: TokenCipher,
        *,
        deadline: float | None = None,
        read_only: bool = False,
    ):
        self._engine = engine
        self._cipher = cipher
        self._read_only = read_only
        self._connection: AsyncConnection | None = None
        self._used = False
        self._deadline_seconds = deadline
        self._deadline: asyncio.Timeout | None = None

    async def __aenter__(self) -> Self:
        if self._used:
            raise RuntimeError("a unit of work is used once; ask the factory for a new one")
        self._used = True
        if self._deadline_seconds is not None:
            self._deadline = asyncio.timeout(self._deadline_seconds)
            await self._deadline.__aenter__()
        try:
            with translated():
                connection = await self._connected()
        except BaseException as error:
            self._leave_deadline_or_raise(await self._leave_deadline(error))
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
        self.role_mappings = SqlRoleMappingRepository(connection)
        self.audit = SqlAuditRepository(connection)
        self.clients = SqlResourceClientRepository(connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        timed_out = await self._leave_deadline(exc_value)
        connection = self._connection
        if connection is not None:
            self._connection = None
            await self._release(connection, timed_out)
        self._leave_deadline_or_raise(timed_out)

    async def _open(self) -> AsyncConnection:
        connection = await self._engine.connect()
        try:
            if self._read_only:
                # SQLite: a deferred BEGIN (no write lock); PostgreSQL: READ ONLY
                connection = await connection.execution_options(**read_only_options(self._engine))
            await connection.begin()
        except BaseException:
            await connection.close()
            raise
        return connection

    async def _connected(self) -> AsyncConnection:
        """A connection in a transaction. Under a deadline, checking out runs in a task of
        its own: when the deadline cancels the wait, SQLAlchemy's clean-up of a dead pooled
        connection (a graceful close it gives up to two seconds) goes on in the background
        instead of holding the caller past the deadline."""
        if self._deadline is None:
            return await self._open()
        opening = asyncio.ensure_future(self._open())
        try:
            return await asyncio.shield(opening)
        except asyncio.CancelledError:
            _in_background(_close_when_opened(opening))
            raise

    async def _leave_deadline(self, error: BaseException | None) -> bool:
        """Leave the deadline's scope; True when it is what ended the unit."""
        deadline, self._deadline = self._deadline, None
        if deadline is None:
            return False
        try:
            if error is None:
                await deadline.__aexit__(None, None, None)
            else:
                await deadline.__aexit__(type(error), error, error.__traceback__)
        except TimeoutError:
            return True
        return False

    @staticmethod
    def _leave_deadline_or_raise(timed_out: bool) -> None:
        if timed_out:
            raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "the database took too long")

    async def _release(self, connection: AsyncConnection, timed_out: bool) -> None:
        """Roll back and return the connection; one the deadline interrupted (or that does
        not answer within a second) is discarded rather than waited for."""
        if timed_out:  # discarded in the background: a hung server would hold the caller
            _in_background(_discard(connection))
            return
        try:
            async with asyncio.timeout(self._deadline_seconds or None):
                await self._quiet_rollback(connection)
        except TimeoutError:
            log.warning("rollback took too long; the connection is discarded")
            await connection.invalidate()
        finally:
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


_background: set[asyncio.Task[None]] = set()


def _in_background(work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.ensure_future(work)
    _background.add(task)  # a strong reference until it is done
    task.add_done_callback(_background.discard)


async def _discard(connection: AsyncConnection) -> None:
    try:
        await connection.invalidate()
        await connection.close()
    except Exception as error:
        log.warning("discarding a connection failed (%s)", type(error).__name__)


async def _close_when_opened(opening: asyncio.Future[AsyncConnection]) -> None:
    try:
        connection = await opening
    except BaseException:
        return  # it failed on its own: nothing to close
    await _discard(connection)
