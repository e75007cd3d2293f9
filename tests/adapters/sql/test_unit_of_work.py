from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import replace

import pytest
from sqlalchemy import text

from adapters.sql import DatabaseConfig, SqlDatabase
from adapters.sql.errors import translated
from core.errors import DuplicateKey, ErrorCode, SignInError
from tests.adapters.sql.support import (
    a_directory,
    a_provider,
    a_user,
    an_account,
    count_rows,
    raw_value,
    seed_person,
)


async def test_nothing_is_kept_without_commit(database: SqlDatabase):
    async with database.unit_of_work() as uow:
        await uow.users.add(a_user())
    assert (await count_rows(database))["users"] == 0


async def test_an_exception_rolls_back_everything_written(database: SqlDatabase):
    with pytest.raises(RuntimeError):
        async with database.unit_of_work() as uow:
            await uow.directories.add(a_directory())
            await uow.providers.add(a_provider())
            await uow.users.add(a_user())
            raise RuntimeError("injected")
    assert set((await count_rows(database)).values()) == {0}
    assert await raw_value(database, "SELECT count(*) FROM provider_domains") == 0


async def test_committed_writes_are_visible_to_the_next_unit(database: SqlDatabase):
    await seed_person(database)
    async with database.unit_of_work() as uow:
        assert await uow.users.get("u1") == a_user()
        assert await uow.accounts.by_key(an_account().issuer, "oid-1") == an_account()


@pytest.mark.postgres
async def test_uncommitted_writes_are_not_visible_to_another_unit(
    postgres_config: DatabaseConfig, token_key: str
):
    # (SQLite serialises units: the reader would wait for the writer to finish)
    database = SqlDatabase(postgres_config, token_key=token_key)
    try:
        async with database.unit_of_work() as writer:
            await writer.users.add(a_user())
            async with database.unit_of_work() as reader:
                assert await reader.users.get("u1") is None
            await writer.commit()
        async with database.unit_of_work() as reader:
            assert await reader.users.get("u1") == a_user()
    finally:
        await database.dispose()


async def test_taken_email_raises_duplicate_key_at_add(database: SqlDatabase):
    await seed_person(database)
    async with database.unit_of_work() as uow:
        with pytest.raises(DuplicateKey):
            await uow.users.add(a_user("u2"))


async def test_taken_issuer_and_object_id_raise_duplicate_key(database: SqlDatabase):
    await seed_person(database)
    async with database.unit_of_work() as uow:
        await uow.users.add(a_user("u2", email=None))
        with pytest.raises(DuplicateKey):
            await uow.accounts.add(an_account("a2", user_id="u2"))


async def test_duplicate_key_message_quotes_no_value(database: SqlDatabase):
    await seed_person(database)
    async with database.unit_of_work() as uow:
        with pytest.raises(DuplicateKey) as caught:
            await uow.users.add(a_user("u2"))
    assert "ada@contoso.com" not in str(caught.value)


async def test_any_number_of_users_without_verified_email(database: SqlDatabase):
    async with database.unit_of_work() as uow:
        for n in range(3):
            await uow.users.add(a_user(f"u{n}", email=None, display_email="ada@contoso.com"))
        await uow.commit()
    assert (await count_rows(database))["users"] == 3


async def test_foreign_keys_are_enforced(database: SqlDatabase):
    async with database.unit_of_work() as uow:
        with pytest.raises(Exception) as caught:
            await uow.accounts.add(an_account(user_id="nobody"))
    assert not isinstance(caught.value, DuplicateKey)


async def test_a_unit_can_commit_twice(database: SqlDatabase):
    async with database.unit_of_work() as uow:
        await uow.users.add(a_user("u1", email=None))
        await uow.commit()
        await uow.users.add(a_user("u2", email=None))
        await uow.commit()
        await uow.users.add(a_user("u3", email=None))
    assert (await count_rows(database))["users"] == 2


async def test_explicit_rollback_drops_the_writes(database: SqlDatabase):
    async with database.unit_of_work() as uow:
        await uow.users.add(a_user())
        await uow.rollback()
        assert await uow.users.get("u1") is None
        await uow.commit()
    assert (await count_rows(database))["users"] == 0


async def test_a_unit_is_used_once(database: SqlDatabase):
    uow = database.unit_of_work()
    async with uow:
        pass
    with pytest.raises(RuntimeError):
        async with uow:
            pass


async def test_connections_go_back_to_the_pool(database: SqlDatabase):
    for _ in range(database.config.pool_size + database.config.max_overflow + 3):
        async with database.unit_of_work() as uow:
            await uow.users.get("u1")
    assert database.engine.pool.checkedout() == 0


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_postgres_down_is_temporarily_unavailable_quickly(token_key: str):
    config = DatabaseConfig(
        url=f"postgresql://nobody@127.0.0.1:{_closed_port()}/none", connect_timeout=1.0, pool_timeout=1.0
    )
    database = SqlDatabase(config, token_key=token_key)
    started = time.monotonic()
    try:
        with pytest.raises(SignInError) as caught:
            async with database.unit_of_work() as uow:
                await uow.users.get("u1")
    finally:
        await database.dispose()
    assert caught.value.code is ErrorCode.TEMPORARILY_UNAVAILABLE
    assert time.monotonic() - started < 3


async def test_unresponsive_server_times_out_as_temporarily_unavailable(token_key: str):
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    database = SqlDatabase.from_url(
        f"postgresql://nobody@127.0.0.1:{port}/none", token_key=token_key, connect_timeout=0.5
    )
    started = time.monotonic()
    try:
        with pytest.raises(SignInError) as caught:
            async with database.unit_of_work():
                pass
    finally:
        await database.dispose()
        server.close()
    assert caught.value.code is ErrorCode.TEMPORARILY_UNAVAILABLE
    assert time.monotonic() - started < 3


async def test_exhausted_pool_is_temporarily_unavailable_within_pool_timeout(
    db_config: DatabaseConfig, token_key: str
):
    config = replace(db_config, pool_size=1, max_overflow=0, pool_timeout=0.5)
    database = SqlDatabase(config, token_key=token_key)
    try:
        async with database.unit_of_work():
            started = time.monotonic()
            with pytest.raises(SignInError) as caught:
                async with database.unit_of_work():
                    pass
            assert time.monotonic() - started < 2.5
    finally:
        await database.dispose()
    assert caught.value.code is ErrorCode.TEMPORARILY_UNAVAILABLE


@pytest.mark.postgres
async def test_statement_timeout_is_temporarily_unavailable(postgres_config: DatabaseConfig, token_key: str):
    database = SqlDatabase(replace(postgres_config, statement_timeout=0.2), token_key=token_key)
    try:
        with pytest.raises(SignInError) as caught:
            async with database.unit_of_work() as uow:
                with translated():
                    await uow.users._connection.execute(text("SELECT pg_sleep(2)"))
    finally:
        await database.dispose()
    assert caught.value.code is ErrorCode.TEMPORARILY_UNAVAILABLE
