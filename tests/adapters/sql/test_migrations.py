from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, inspect
from sqlalchemy.engine import Connection

from adapters.sql import (
    DatabaseConfig,
    SchemaOutOfDate,
    current_revision,
    downgrade,
    ensure_schema,
    ensure_schema_async,
    head_revision,
    upgrade,
    upgrade_async,
)
from adapters.sql.engine import create_engine
from adapters.sql.tables import metadata
from tests.adapters.sql.support import TABLES, execute_once, new_schema_name, run_async


@pytest.fixture
def fresh_sqlite(tmp_path: Path) -> DatabaseConfig:
    return DatabaseConfig(url=f"sqlite:///{tmp_path / 'fresh.db'}")


@pytest.fixture
def fresh_postgres(postgres_server_url: str) -> Iterator[DatabaseConfig]:
    base = DatabaseConfig(url=postgres_server_url)
    schema = new_schema_name()
    run_async(lambda: execute_once(base, f'CREATE SCHEMA "{schema}"'))
    try:
        yield replace(base, schema=schema)
    finally:
        run_async(lambda: execute_once(base, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh(request: pytest.FixtureRequest) -> DatabaseConfig:
    return request.getfixturevalue(f"fresh_{request.param}")


async def _inspect(config: DatabaseConfig, job: Any) -> Any:
    engine = create_engine(config)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(job)
    finally:
        await engine.dispose()


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _drift(target: MetaData):
    def job(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, target)

    return job


def test_upgrade_downgrade_upgrade(fresh: DatabaseConfig):
    assert current_revision(fresh) is None
    upgrade(fresh)
    assert current_revision(fresh) == head_revision()
    assert set(TABLES) <= run_async(lambda: _inspect(fresh, _tables))

    downgrade(fresh, "base")
    assert current_revision(fresh) is None
    assert run_async(lambda: _inspect(fresh, _tables)) <= {"alembic_version", "sqlite_sequence"}

    upgrade(fresh)
    assert current_revision(fresh) == head_revision()


def test_models_and_migrations_do_not_drift(fresh: DatabaseConfig):
    upgrade(fresh)
    assert run_async(lambda: _inspect(fresh, _drift(metadata))) == []


def test_the_drift_check_sees_a_difference(fresh: DatabaseConfig):
    upgrade(fresh)
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["users"].append_column(Column("nickname", String, nullable=True))
    diffs = run_async(lambda: _inspect(fresh, _drift(changed)))
    assert any(diff[0] == "add_column" and diff[3].name == "nickname" for diff in diffs)


def test_embedded_sqlite_upgrades_itself(fresh_sqlite: DatabaseConfig):
    assert ensure_schema(fresh_sqlite, auto_upgrade=False) == head_revision()
    assert current_revision(fresh_sqlite) == head_revision()


@pytest.mark.postgres
def test_postgres_behind_head_stops_start_up_naming_the_command(fresh_postgres: DatabaseConfig):
    with pytest.raises(SchemaOutOfDate, match="azure-signin db upgrade"):
        ensure_schema(fresh_postgres, auto_upgrade=False)
    assert current_revision(fresh_postgres) is None


@pytest.mark.postgres
def test_postgres_upgrades_when_asked(fresh_postgres: DatabaseConfig):
    assert ensure_schema(fresh_postgres, auto_upgrade=True) == head_revision()
    assert ensure_schema(fresh_postgres, auto_upgrade=False) == head_revision()


def test_a_revision_newer_than_the_code_is_refused(fresh: DatabaseConfig):
    upgrade(fresh)
    run_async(lambda: execute_once(fresh, "UPDATE alembic_version SET version_num = 'zz99'"))
    with pytest.raises(SchemaOutOfDate, match="does not know"):
        ensure_schema(fresh, auto_upgrade=True)


async def test_migrations_run_from_async_code(fresh_sqlite: DatabaseConfig):
    # a running loop in this thread: alembic's own asyncio.run must not collide with it
    upgrade(fresh_sqlite)
    await upgrade_async(fresh_sqlite)
    assert await ensure_schema_async(fresh_sqlite, auto_upgrade=False) == head_revision()
