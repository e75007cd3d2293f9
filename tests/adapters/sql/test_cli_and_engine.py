from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from adapters.sql import DatabaseConfig, current_revision, head_revision
from adapters.sql.engine import async_url, create_engine
from entrypoints import cli_db


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="azure-signin")
    cli_db.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("sqlite:///var/signin.db", "sqlite+aiosqlite"),
        ("sqlite+pysqlite:///x.db", "sqlite+aiosqlite"),
        ("postgresql://signin@db:5432/signin", "postgresql+asyncpg"),
        ("postgres://signin@db/signin", "postgresql+asyncpg"),
        ("postgresql+psycopg2://signin@db/signin", "postgresql+asyncpg"),
    ],
)
def test_plain_urls_get_the_async_driver(given: str, driver: str):
    assert async_url(given).drivername == driver


def test_other_databases_are_refused():
    with pytest.raises(ValueError, match="unsupported"):
        async_url("mysql://x@y/z")


async def test_sqlite_engine_creates_its_folder(tmp_path: Path):
    engine = create_engine(DatabaseConfig(url=f"sqlite:///{tmp_path}/deep/er/signin.db"))
    await engine.dispose()
    assert (tmp_path / "deep" / "er").is_dir()


def test_db_upgrade_defaults_to_the_embedded_file(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SIGNIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("SIGNIN_DATA_DIR", raising=False)
    assert _run("db", "upgrade") == 0
    assert (tmp_path / "var" / "signin.db").is_file()
    assert current_revision("sqlite:///var/signin.db") == head_revision()
    assert _run("db", "upgrade") == 0
    assert "already at revision" in capsys.readouterr().out
    assert _run("db", "current") == 0


def test_db_upgrade_uses_the_setting(tmp_path: Path, monkeypatch):
    url = f"sqlite:///{tmp_path}/elsewhere.db"
    monkeypatch.setenv("SIGNIN_DATABASE_URL", url)
    assert _run("db", "current") == 3
    assert _run("db", "upgrade") == 0
    assert current_revision(url) == head_revision()


def test_db_upgrade_failure_is_one_line_without_password(monkeypatch, capsys):
    monkeypatch.setenv("SIGNIN_DATABASE_URL", "postgresql://u:hunter2@127.0.0.1:1/db")
    assert _run("db", "upgrade") == 1
    err = capsys.readouterr().err
    assert "hunter2" not in err and "temporarily_unavailable" in err


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_is_refused_with_a_hint(url: str):
    with pytest.raises(ValueError, match="use a file"):
        create_engine(DatabaseConfig(url=url))
