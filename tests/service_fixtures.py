"""The service under test: the real app (real MSAL and Graph adapters) against the Azure
sandbox, over SQLite with in-process stores, or PostgreSQL with Redis. Test folders that
need it import these fixtures in their conftest."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.azure_sandbox.testing import SandboxHandle, running_sandbox
from adapters.sql.migrate import upgrade
from entrypoints.container import Container, build_container
from entrypoints.lifecycle import stop
from entrypoints.seed import authority_issuer, seed_demo
from entrypoints.settings import load_settings
from entrypoints.web.app import create_app
from tests.adapters.sql.support import count_rows
from tests.web.support import FRONTEND, SERVICE, Browser, create_database, drop_database


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    with running_sandbox(tmp_path_factory.mktemp("sandbox")) as handle:
        yield handle


def service_env(sandbox: SandboxHandle, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        "SIGNIN_DATA_DIR": str(data_dir),
        "SIGNIN_PUBLIC_URL": SERVICE,
        "SIGNIN_ALLOWED_ORIGINS": FRONTEND,
        "SIGNIN_AAD_AUTHORITY": sandbox.aad_authority,
        "SIGNIN_B2C_AUTHORITY": sandbox.b2c_authority,
        "SIGNIN_B2C_GRAPH_AUTHORITY": sandbox.b2c_graph_authority,
        "SIGNIN_EXTERNAL_AUTHORITY": sandbox.external_authority,
        "SIGNIN_GRAPH_URL": sandbox.graph_url,
        "SIGNIN_CA_BUNDLE": str(sandbox.ca_path),
        "SIGNIN_HTTP_TIMEOUT": "5",
        # The login budget is counted in the shared Redis per client address, and every test
        # client is `testclient`: tests of the limit set their own, with addresses of their own.
        "SIGNIN_LOGIN_RATE_LIMIT": "1000000",
    }
    env.update(extra)
    return env


BOTH_BACKENDS = ["sqlite", pytest.param("postgres+redis", marks=[pytest.mark.postgres, pytest.mark.redis])]


@pytest.fixture(params=BOTH_BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Settings naming the storage: SQLite and in-process stores, or PostgreSQL and Redis."""
    if request.param == "sqlite":
        yield {"SIGNIN_DATABASE_URL": f"sqlite:///{tmp_path / 'signin.db'}"}
        return
    server = request.getfixturevalue("postgres_server_url")
    redis_url = request.getfixturevalue("redis_url")
    url = asyncio.run(create_database(server))
    upgrade(url)
    try:
        yield {"SIGNIN_DATABASE_URL": url, "SIGNIN_REDIS_URL": redis_url}
    finally:
        asyncio.run(drop_database(server, url))


ServiceFactory = Callable[..., Any]


class Operator:
    """Acts on the service's storage from outside it, as the CLI does from another process:
    a container of its own (its own pools, in the test's event loop), closed after use. The
    app under test runs on another loop, so the two must never share a pool."""

    def __init__(self, settings: Any, app: Container) -> None:
        self.settings = settings
        self.app = app  # the app's own container: inspect in-process stores, never its pools

    @asynccontextmanager
    async def container(self) -> AsyncIterator[Container]:
        container = build_container(self.settings)
        try:
            yield container
        finally:
            await stop(container)

    async def disable(self, email: str) -> None:
        async with self.container() as container:
            await container.disable_user()(email)

    async def invite(self, email: str, workspace_id: int, role: str, *, accepted: bool = True) -> None:
        async with self.container() as container:
            await container.administration().invite(email, workspace_id, role, accepted=accepted)

    async def workspace_id(self, name: str) -> int:
        async with self.container() as container:
            return next(w.id for w in await container.administration().workspaces() if w.name == name)

    async def row_counts(self) -> dict[str, int]:
        async with self.container() as container:
            return await count_rows(container.database())


@pytest.fixture
def make_service(sandbox: SandboxHandle, backend: dict[str, str], tmp_path: Path) -> ServiceFactory:
    """`async with make_service(**settings) as (browser, container)`: the app, seeded with
    the demo data (`seed=False`: nothing but what the service does itself), and a browser
    pointed at it."""

    class _Service:
        def __init__(
            self, overrides: dict[str, Any] | None = None, *, seed: bool = True, **extra: str
        ) -> None:
            """`overrides`: container providers replaced before the app is built; `seed`: the
            demo's records (off to watch the service's own start-up registrations)."""
            self.seed = seed
            env = service_env(sandbox, tmp_path / "var", **{**backend, **extra})
            self.container: Container = build_container(load_settings(env))
            for name, value in (overrides or {}).items():
                getattr(self.container, name).override(providers.Object(value))
            self.client = AsyncTestClient(create_app(self.container), base_url=SERVICE)

        async def __aenter__(self) -> tuple[Browser, Operator]:
            await self.client.__aenter__()
            operator = Operator(self.container.settings(), self.container)
            settings = operator.settings
            if not self.seed:
                return Browser(self.client, sandbox), operator
            b2c = next(a for a in settings.authorities if a.name == "b2c")
            external = next((a for a in settings.authorities if a.name == "external"), None)
            async with operator.container() as container:
                issuer = await authority_issuer(container.discovery(), b2c.authority)
                external_issuer = None
                if external is not None:
                    external_issuer = await authority_issuer(container.discovery(), external.authority)
                await seed_demo(container.administration(), FRONTEND, issuer, external_issuer)
            return Browser(self.client, sandbox), operator

        async def __aexit__(self, *exc: object) -> None:
            await self.client.__aexit__(*exc)

    return _Service


@pytest.fixture
async def service(make_service: ServiceFactory) -> AsyncIterator[tuple[Browser, Operator]]:
    async with make_service() as pair:
        yield pair

