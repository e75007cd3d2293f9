"""The unit-of-work contract suite, against SQLite and against PostgreSQL."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.contracts.unit_of_work import UnitOfWorkContract
from adapters.sql import DatabaseConfig, SqlDatabase
from tests.adapters.sql.support import count_rows, sqlite_row_counts


class TestSqliteUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    async def database(self, sqlite_config: DatabaseConfig, token_key: str) -> AsyncIterator[SqlDatabase]:
        db = SqlDatabase(sqlite_config, token_key=token_key)
        yield db
        await db.dispose()

    @pytest.fixture
    def uow_factory(self, database: SqlDatabase):
        return database.unit_of_work

    @pytest.fixture
    def row_counts(self, database: SqlDatabase):
        path = database.config.async_url.database
        return lambda: sqlite_row_counts(path)


@pytest.mark.postgres
class TestPostgresUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    async def database(self, postgres_config: DatabaseConfig, token_key: str) -> AsyncIterator[SqlDatabase]:
        db = SqlDatabase(postgres_config, token_key=token_key)
        yield db
        await db.dispose()

    @pytest.fixture
    def uow_factory(self, database: SqlDatabase):
        return database.unit_of_work

    @pytest.fixture
    def row_counts(self, database: SqlDatabase):
        return lambda: count_rows(database)
