"""A sandbox process and a factory of service processes sharing one PostgreSQL database,
one Redis and one data folder (the same keys), as production runs them."""
from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from adapters.sql.migrate import upgrade
from entrypoints.container import build_container
from entrypoints.lifecycle import stop
from entrypoints.seed import authority_issuer, seed_demo
from entrypoints.settings import load_settings
from tests.reliability.processes import Process, base_env, cli, free_port
from tests.web.support import FRONTEND, create_database, drop_database


@pytest.fixture(scope="module")
def sandbox_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Process]]:
    folder = tmp_path_factory.mktemp("sandbox-process")
    port = free_port()
    env = base_env(SIGNIN_SANDBOX_PORT=str(port), SIGNIN_SANDBOX_DIR=str(folder / "state"),
                   SIGNIN_LOG_LEVEL="DEBUG")
    process = Process(cli("sandbox"), env, folder / "sandbox.log", folder).start()
    base = f"https://localhost:{port}"
    ca = folder / "state" / "ca.pem"
    try:
        for _ in range(100):
            if ca.exists():
                break
            asyncio.run(asyncio.sleep(0.1))
        process.wait_for(f"{base}/organizations/v2.0/.well-known/openid-configuration",
                         verify=ssl.create_default_context(cafile=str(ca)))
        yield base, ca, process
    finally:
        process.stop()


@pytest.fixture
def shared_settings(sandbox_process, postgres_server_url, redis_url, tmp_path) -> Iterator[dict[str, str]]:
    base, ca, _ = sandbox_process
    url = asyncio.run(create_database(postgres_server_url))
    upgrade(url)
    settings = {
        "SIGNIN_DATA_DIR": str(tmp_path / "var"),
        "SIGNIN_ALLOWED_ORIGINS": FRONTEND,
        "SIGNIN_DATABASE_URL": url,
        "SIGNIN_REDIS_URL": redis_url,
        "SIGNIN_AAD_AUTHORITY": f"{base}/organizations",
        "SIGNIN_B2C_AUTHORITY": f"{base}/posterlabappdev.onmicrosoft.com/B2C_1A_SIGNUP_SIGNIN",
        "SIGNIN_B2C_GRAPH_AUTHORITY": f"{base}/posterlabappdev.onmicrosoft.com",
        "SIGNIN_GRAPH_URL": f"{base}/graph/v1.0",
        "SIGNIN_CA_BUNDLE": str(ca),
        "SIGNIN_LOG_LEVEL": "DEBUG",
    }
    asyncio.run(_seed(settings))
    try:
        yield settings
    finally:
        asyncio.run(drop_database(postgres_server_url, url))


async def _seed(settings: dict[str, str]) -> None:
    container = build_container(load_settings(settings))
    try:
        loaded = container.settings()
        b2c = next(a for a in loaded.authorities if a.name == "b2c")
        issuer = await authority_issuer(container.discovery(), b2c.authority)
        await seed_demo(container.administration(), FRONTEND, issuer)
    finally:
        await stop(container)


@pytest.fixture
def start_service(shared_settings, tmp_path) -> Iterator[Callable[[], tuple[str, Process]]]:
    """Start one more service process (`azure-signin serve`) on a free port."""
    started: list[Process] = []

    def start(*args: str, **extra: str) -> tuple[str, Process]:
        """`args`: more arguments of `serve`; `extra`: more settings."""
        port = free_port()
        # Every process announces the same public URL, as behind one load balancer.
        env = base_env(**shared_settings, SIGNIN_PORT=str(port),
                       SIGNIN_PUBLIC_URL="http://localhost:8000", **extra)
        command = [*cli("serve"), *args]
        process = Process(command, env, tmp_path / f"service-{port}.log", tmp_path).start()
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        process.wait_for(f"{base}/health/live")
        return base, process

    try:
        yield start
    finally:
        for process in started:
            process.stop()
