"""`SqlDatabase`: the SQL adapter's entry point, built from settings."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.crypto import TokenCipher
from adapters.sql.engine import DatabaseConfig, create_engine
from adapters.sql.errors import translated
from adapters.sql.unit_of_work import SqlUnitOfWork


class SqlDatabase:
    """One database (SQLite or PostgreSQL) and its connection pool.

    `unit_of_work` is a `core.ports.UnitOfWorkFactory`. `token_key` is the 32-byte AES key
    (base64url text) that seals the Microsoft tokens kept for sessions.

    Example::

        db = SqlDatabase.from_url("sqlite:///var/signin.db", token_key=key)
        async with db.unit_of_work() as uow:
            await uow.users.add(user)
            await uow.commit()
        await db.dispose()
    """

    def __init__(self, config: DatabaseConfig, *, token_key: str | bytes):
        self.config = config
        self._cipher = TokenCipher(token_key)
        self._engine = create_engine(config)

    @classmethod
    def from_url(cls, url: str, *, token_key: str | bytes, **settings: Any) -> SqlDatabase:
        """Settings are the fields of `DatabaseConfig` (pool_size, pool_timeout, ...)."""
        return cls(replace(DatabaseConfig(url=url), **settings), token_key=token_key)

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    def unit_of_work(self, *, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self._engine, self._cipher, deadline=self.config.operation_timeout, read_only=read_only
        )

    async def check(self) -> None:
        """Readiness probe: raises `SignInError(temporarily_unavailable)` when unreachable."""
        with translated():
            async with self._engine.connect() as connection:
                await connection.execute(text("SELECT 1"))

    async def check_schema(self) -> None:
        """Before the service starts: the embedded SQLite file upgrades itself; a PostgreSQL
        schema behind this version raises `SchemaOutOfDate` naming the command to run."""
        from adapters.sql.migrate import ensure_schema_async  # Alembic only when starting

        await ensure_schema_async(self.config, auto_upgrade=False)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self._engine.dispose()
