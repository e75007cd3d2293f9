"""The example adapters against azure-signin's installed contract suites: nothing here but
subclasses of the contracts and the fixtures their docstrings ask for.

Needs a PostgreSQL server: `INTEGRATOR_DATABASE_URL` (default: the local `test` database).
`manual_clock` and `contract_namespace` come from the contracts' pytest plugin, which the
wheel registers: every test gets tables of its own, and time that passes only when told.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest
import pytest_asyncio
from pg_stores import PostgresFlowStore, PostgresSessionCache

from adapters.contracts.flow_store import FlowStoreContract
from adapters.contracts.session_cache import SessionCacheContract
from adapters.memory.clock import ManualClock

DATABASE_URL = os.environ.get("INTEGRATOR_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest_asyncio.fixture
async def pool() -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(DATABASE_URL, min_size=1, max_size=4, timeout=5, command_timeout=5)
    yield pool
    await pool.close()


class TestPostgresFlowStore(FlowStoreContract):
    @pytest_asyncio.fixture
    async def flow_store(
        self, pool: asyncpg.Pool, manual_clock: ManualClock, contract_namespace: str
    ) -> AsyncIterator[PostgresFlowStore]:
        store = PostgresFlowStore(pool, manual_clock, table=f"{contract_namespace}_flows")
        await store.create_table()
        yield store
        await store.drop_table()

    @pytest.fixture
    def advance(self, manual_clock: ManualClock) -> Callable[[float], object]:
        return manual_clock.advance


class TestPostgresSessionCache(SessionCacheContract):
    @pytest_asyncio.fixture
    async def session_cache(
        self, pool: asyncpg.Pool, manual_clock: ManualClock, contract_namespace: str
    ) -> AsyncIterator[PostgresSessionCache]:
        cache = PostgresSessionCache(pool, manual_clock, table=f"{contract_namespace}_sessions")
        await cache.create_table()
        yield cache
        await cache.drop_table()

    @pytest.fixture
    def advance(self, manual_clock: ManualClock) -> Callable[[float], object]:
        return manual_clock.advance
