"""azure-signin served with the example's PostgreSQL flow store and session cache: the
product's own container with two providers overridden, nothing of the product edited.

    export SIGNIN_...=...                      # the service's settings, as usual
    export INTEGRATOR_DATABASE_URL=postgresql://signin@db/signin
    python -c "import asyncio, signin_app; asyncio.run(signin_app.create_tables())"   # once
    uvicorn --factory signin_app:app_factory   # any ASGI server; one container per process

`INTEGRATOR_STORES=memory` keeps the product's own choice (Redis, or in-process stores): a
setting of yours, read by your factory, chooses the provider.
"""

from __future__ import annotations

import os

from dependency_injector import providers
from litestar import Litestar
from pg_stores import LazyPool, PostgresFlowStore, PostgresSessionCache

from adapters.memory.clock import SystemClock
from entrypoints.container import Container, build_container
from entrypoints.logging_setup import configure_logging
from entrypoints.settings import Settings, load_settings
from entrypoints.web.app import create_app


def use_postgres_stores(container: Container, pool: LazyPool) -> None:
    """Point the container's `flows` and `session_cache` at the PostgreSQL stores."""
    container.flows.override(providers.Singleton(PostgresFlowStore, pool, container.clock))
    container.session_cache.override(providers.Singleton(PostgresSessionCache, pool, container.clock))


def create_signin_app(settings: Settings, database_url: str) -> Litestar:
    """The service, its flows and session cache on PostgreSQL at `database_url`."""
    container = build_container(settings)
    pool = LazyPool(database_url)
    use_postgres_stores(container, pool)
    app = create_app(container)
    app.on_shutdown.append(pool.aclose)  # the product closes what it made; this is ours
    return app


def app_factory() -> Litestar:
    settings = load_settings()
    configure_logging(settings.log_level)
    if os.environ.get("INTEGRATOR_STORES", "postgres") == "memory":
        return create_app(build_container(settings))  # the product's own choice
    return create_signin_app(settings, os.environ["INTEGRATOR_DATABASE_URL"])


async def create_tables(database_url: str | None = None) -> None:
    pool = LazyPool(database_url or os.environ["INTEGRATOR_DATABASE_URL"])
    try:
        await PostgresFlowStore(pool, SystemClock()).create_table()
        await PostgresSessionCache(pool, SystemClock()).create_table()
    finally:
        await pool.aclose()
