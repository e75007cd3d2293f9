"""The load harness's own judges (tests/loadtest/scenarios.py) can fail: its half-written
sign-in queries find a user without an account and a landed user the database never
wrote, and its recovery figure is the last error after the dependency's return."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from adapters.sql.migrate import upgrade
from tests.loadtest.loadgen import Sample
from tests.loadtest.scenarios import half_written, recovery_seconds
from tests.web.support import create_database, drop_database

pytestmark = [pytest.mark.postgres]


async def _orphan(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "INSERT INTO users (id, email, display_name, created_at, disabled) "
            "VALUES ($1, $2, $3, $4, false)",
            str(uuid.uuid4()),
            "lt-orphan@contoso.com",
            "orphan",
            datetime.now(UTC),
        )
    finally:
        await connection.close()


def test_half_written_sign_ins_are_found(postgres_server_url):
    url = asyncio.run(create_database(postgres_server_url))
    try:
        upgrade(url)
        since = time.time() - 1
        clean = asyncio.run(half_written(url, since, []))
        assert set(clean) >= {
            "users_without_account",
            "duplicate_identities",
            "sessions_without_account",
            "accounts_without_session",
            "landed_without_account",
        }
        assert not any(clean.values()), clean
        asyncio.run(_orphan(url))
        found = asyncio.run(half_written(url, since, ["lt-never-written@contoso.com"]))
        assert found["users_without_account"] == 1
        assert found["landed_without_account"] == 1
        assert asyncio.run(half_written(url, time.time() + 60, []))["users_without_account"] == 0
    finally:
        asyncio.run(drop_database(postgres_server_url, url))


def test_recovery_is_the_last_error_after_the_return():
    samples = [
        Sample(9.0, "redirect", 503, 0.1),
        Sample(10.5, "login", 0, 0.1),
        Sample(12.0, "verify", 200, 0.1),
        Sample(13.2, "me", 503, 0.1),
        Sample(14.0, "flow", 599, 0.1),
    ]
    assert recovery_seconds(samples, 10.0) == pytest.approx(3.2)  # flows are not requests
    assert recovery_seconds(samples, 13.5) == 0.0
