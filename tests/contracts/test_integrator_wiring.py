"""The worked integrator example wired into the real service through the container
(docs/examples/integrator/signin_app.py): a sign-in against the Azure sandbox keeps its flow
and its session cache entry in the example's PostgreSQL tables, not in the product's stores."""
from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from adapters.azure_sandbox.testing import SandboxHandle
from entrypoints.settings import load_settings
from tests.service_fixtures import sandbox, service_env  # noqa: F401 - the sandbox fixture
from tests.web.support import FRONTEND, SERVICE, Browser, create_database, drop_database

pytestmark = pytest.mark.postgres

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "integrator"


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.syspath_prepend(str(EXAMPLE))
    yield importlib.import_module("signin_app")


@pytest.fixture
async def database_url(postgres_server_url: str) -> AsyncIterator[str]:
    url = await create_database(postgres_server_url)
    try:
        yield url
    finally:
        await drop_database(postgres_server_url, url)


async def _rows(url: str, table: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval(f"SELECT count(*) FROM {table}"))
    finally:
        await connection.close()


async def test_a_sign_in_keeps_its_flow_and_session_in_the_example_stores(
    example: ModuleType, database_url: str, sandbox: SandboxHandle, tmp_path: Path  # noqa: F811
) -> None:
    await example.create_tables(database_url)
    settings = load_settings(service_env(sandbox, tmp_path / "var"))
    app = example.create_signin_app(settings, database_url)
    async with AsyncTestClient(app, base_url=SERVICE) as client:
        browser = Browser(client, sandbox)
        landing = await browser.login("alice@contoso.com", stop_at_callback=True)
        assert landing.callback is not None
        assert await _rows(database_url, "signin_flows") == 1  # the started login, in PostgreSQL
        assert await _rows(database_url, "signin_session_cache") == 0

        answer = await client.get(landing.callback, follow_redirects=False)
        assert answer.status_code == 302
        location = answer.headers["location"]
        assert location.startswith(FRONTEND) and "access_token=" in location
        assert await _rows(database_url, "signin_flows") == 0  # taken, once
        assert await _rows(database_url, "signin_session_cache") == 1  # the new session's entry

        token = location.split("access_token=", 1)[1].split("&", 1)[0]
        me = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["user"]["email"] == "alice@contoso.com"
