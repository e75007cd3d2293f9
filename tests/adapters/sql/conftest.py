"""Databases for the SQL adapter's tests.

SQLite: the migrations run once into a template file, copied for every test. PostgreSQL:
the migrations run once into a schema of this run's own (`t_<random>`, dropped at the end,
Alembic's version table included, as it follows `search_path`); each test starts from
emptied tables with the workspace sequence reset.
"""
from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from adapters.sql import DatabaseConfig, SqlDatabase, generate_key, upgrade
from tests.adapters.sql.support import TABLES, execute_once, new_schema_name, run_async


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(DatabaseConfig(url=f"sqlite:///{path}"))
    return path


@pytest.fixture
def sqlite_config(sqlite_template: Path, tmp_path: Path) -> DatabaseConfig:
    path = tmp_path / "signin.db"
    shutil.copyfile(sqlite_template, path)
    return DatabaseConfig(url=f"sqlite:///{path}", pool_timeout=5.0)


@pytest.fixture(scope="session")
def postgres_schema(postgres_server_url: str) -> Iterator[DatabaseConfig]:
    """A migrated schema of this test run's own, dropped when the run ends."""
    base = DatabaseConfig(url=postgres_server_url)
    schema = new_schema_name()
    run_async(lambda: execute_once(base, f'CREATE SCHEMA "{schema}"'))
    config = replace(base, schema=schema, pool_size=10, max_overflow=20, pool_timeout=10.0)
    try:
        upgrade(config)
        yield config
    finally:
        run_async(lambda: execute_once(base, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture
async def postgres_config(postgres_schema: DatabaseConfig) -> DatabaseConfig:
    await execute_once(
        postgres_schema, f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"
    )
    return postgres_schema


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_config(request: pytest.FixtureRequest) -> DatabaseConfig:
    return request.getfixturevalue(f"{request.param}_config")


@pytest.fixture
def token_key() -> str:
    return generate_key()


@pytest.fixture
async def database(db_config: DatabaseConfig, token_key: str) -> AsyncIterator[SqlDatabase]:
    db = SqlDatabase(db_config, token_key=token_key)
    try:
        yield db
    finally:
        await db.dispose()
