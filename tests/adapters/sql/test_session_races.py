"""A refresh racing a logout on PostgreSQL (read committed): the logout always wins. Before
the guarded writes, a refresh that read the open session before a logout committed wrote it
back whole, reopening it and restoring the Microsoft tokens the logout had deleted."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from adapters.contracts.records import Person, at, session
from adapters.sql import DatabaseConfig, SqlDatabase

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg(postgres_config: DatabaseConfig, token_key: str) -> AsyncIterator[SqlDatabase]:
    database = SqlDatabase(postgres_config, token_key=token_key)
    try:
        yield database
    finally:
        await database.dispose()


async def _open_session(db: SqlDatabase):
    alice = Person()
    opened = session(alice.account)
    async with db.unit_of_work() as uow:
        await alice.add(uow)
        await uow.sessions.add(opened)
        await uow.commit()
    return opened


async def test_a_refresh_that_read_before_a_logout_cannot_reopen_it(pg: SqlDatabase) -> None:
    opened = await _open_session(pg)
    async with pg.unit_of_work() as refresh:
        assert (await refresh.sessions.get(opened.id)).revoked_at is None  # read while open
        async with pg.unit_of_work() as logout:
            await logout.sessions.revoke(opened.id, at(60))
            await logout.commit()
        assert await refresh.sessions.extend_idle(opened.id, at(9000), now=at(100)) is None
        await refresh.commit()
    async with pg.unit_of_work() as uow:
        found = await uow.sessions.get(opened.id)
    assert found.revoked_at == at(60) and found.microsoft_tokens is None


async def test_a_refresh_waiting_on_a_logouts_row_lock_sees_the_revocation(pg: SqlDatabase) -> None:
    opened = await _open_session(pg)
    logout_holds_lock = asyncio.Event()
    release_logout = asyncio.Event()

    async def logout() -> None:
        async with pg.unit_of_work() as uow:
            await uow.sessions.revoke(opened.id, at(60))  # takes the row lock
            logout_holds_lock.set()
            await release_logout.wait()
            await uow.commit()

    async def refresh() -> object:
        await logout_holds_lock.wait()
        async with pg.unit_of_work() as uow:
            result = await uow.sessions.extend_idle(opened.id, at(9000), now=at(100))  # waits
            await uow.commit()
            return result

    logout_task = asyncio.create_task(logout())
    refresh_task = asyncio.create_task(refresh())
    await logout_holds_lock.wait()
    await asyncio.sleep(0.3)  # the refresh is now blocked on the row lock
    assert not refresh_task.done()
    release_logout.set()
    await logout_task
    assert await refresh_task is None
    async with pg.unit_of_work() as uow:
        found = await uow.sessions.get(opened.id)
    assert found.revoked_at == at(60) and found.microsoft_tokens is None
