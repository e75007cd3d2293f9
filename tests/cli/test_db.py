"""`azure-signin db upgrade | downgrade | current | revision` through the console script, on
an empty PostgreSQL database of its own and on SQLite: up to head, down to base, up again,
and the migrated schema is what the models say (Alembic's autogenerate finds no difference).
"""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from adapters.sql import DatabaseConfig, head_revision
from adapters.sql.engine import create_engine
from adapters.sql.migrate import MIGRATIONS
from adapters.sql.tables import metadata
from tests.web.support import create_database, drop_database


async def _inspect(url: str, job: Any) -> Any:
    engine = create_engine(DatabaseConfig(url=url))
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(job)
    finally:
        await engine.dispose()


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version", "sqlite_sequence"}


def _drift(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = request.getfixturevalue("postgres_server_url")
    url = asyncio.run(create_database(server))  # a database of its own: `public`, as deployed
    try:
        yield url
    finally:
        asyncio.run(drop_database(server, url))


def test_up_down_and_up_again_leaves_the_schema_the_models_describe(cli, empty_database):
    url = empty_database
    cli.settings["SIGNIN_DATABASE_URL"] = url
    assert cli.script("db", "current").code == 3
    up = cli.script("db", "upgrade")
    assert up.code == 0 and f"to revision {head_revision()}" in up.out, up.err
    assert asyncio.run(_inspect(url, _tables)) == set(metadata.tables)
    assert asyncio.run(_inspect(url, _drift)) == []

    one_down = cli.script("db", "downgrade", "-1")
    assert one_down.code == 0, one_down.err
    previous = f"{int(head_revision()) - 1:04d}"
    assert f"to {previous}" in one_down.out
    assert cli.script("db", "current").out.startswith(previous)

    base = cli.script("db", "downgrade", "base")
    assert base.code == 0 and "base (no schema)" in base.out, base.err
    assert asyncio.run(_inspect(url, _tables)) == set()

    again = cli.script("db", "upgrade")
    assert again.code == 0, again.err
    assert cli.script("db", "current").code == 0
    assert asyncio.run(_inspect(url, _drift)) == []


def test_the_database_url_may_come_from_a_secret_file(cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'from-file.db'}"
    secret = tmp_path / "database-url"
    secret.write_text(url + "\n")
    cli.settings.pop("SIGNIN_DATABASE_URL")
    up = cli.script("db", "upgrade", SIGNIN_DATABASE_URL_FILE=str(secret))
    assert up.code == 0, up.err
    assert (tmp_path / "from-file.db").is_file()
    missing = cli.script("db", "current", SIGNIN_DATABASE_URL_FILE=str(tmp_path / "nope"))
    assert missing.code == 2
    assert missing.err.strip().count("\n") == 0 and "Traceback" not in missing.err
    assert "SIGNIN_DATABASE_URL_FILE" in missing.err and "nope" in missing.err


def test_a_downgrade_to_an_unknown_revision_is_one_line(cli):
    cli.script("db", "upgrade")
    wrong = cli.script("db", "downgrade", "zz99")
    assert wrong.code == 1 and "Traceback" not in wrong.err
    assert wrong.err.strip().count("\n") == 0


def test_db_revision_writes_the_next_numbered_migration_chained_after_the_head(cli, monkeypatch):
    head = head_revision()
    expected = f"{int(head) + 1:04d}"
    written: list[Path] = []
    try:
        made = cli.run("db", "revision", "-m", "add a nickname")
        written = sorted(MIGRATIONS.joinpath("versions").glob(f"{expected}_*.py"))
        assert made.code == 0, made.err
        assert [p.name for p in written] == [f"{expected}_add_a_nickname.py"]
        text = written[0].read_text()
        assert f"revision: str = '{expected}'" in text and f"down_revision: str | None = '{head}'" in text
    finally:
        for path in written:
            path.unlink()


def test_db_revision_autogenerate_finds_nothing_to_do_on_a_migrated_database(cli):
    expected = f"{int(head_revision()) + 1:04d}"
    assert cli.script("db", "upgrade").code == 0
    written: list[Path] = []
    try:
        made = cli.run("db", "revision", "-m", "nothing", "--autogenerate")
        written = sorted(MIGRATIONS.joinpath("versions").glob(f"{expected}_*.py"))
        assert made.code == 0, made.err
        body = written[0].read_text()
        assert "op.add_column" not in body and "op.create_table" not in body and "op.drop" not in body
    finally:
        for path in written:
            path.unlink()
