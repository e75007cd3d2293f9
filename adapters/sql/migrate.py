"""Schema migrations, run programmatically (`azure-signin db upgrade` calls `upgrade`).

Alembic's environment drives this adapter's async engine with `asyncio.run`, which cannot
run inside an event loop that is already running. Every function here therefore does its
work on a short-lived worker thread with a loop of its own: they are safe to call from sync
code and from async code alike (the `*_async` variants do not block the caller's loop).
"""
from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from adapters.sql.engine import DatabaseConfig, create_engine
from adapters.sql.errors import translated

MIGRATIONS = Path(__file__).with_name("migrations")
UPGRADE_COMMAND = "azure-signin db upgrade"

T = TypeVar("T")


class SchemaOutOfDate(RuntimeError):
    """The database is behind the code's schema revision and may not upgrade itself."""


def _config(database: str | DatabaseConfig) -> DatabaseConfig:
    return DatabaseConfig(url=database) if isinstance(database, str) else database


def alembic_config(database: str | DatabaseConfig) -> Config:
    """An Alembic `Config` for `database`, built in code (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_config"] = _config(database)
    return config


def _on_worker_thread(job: Callable[[], T]) -> T:
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(job).result()


def upgrade(database: str | DatabaseConfig, revision: str = "head") -> None:
    """Migrate `database` (a URL or a `DatabaseConfig`) up to `revision`."""
    _on_worker_thread(lambda: command.upgrade(alembic_config(database), revision))


def downgrade(database: str | DatabaseConfig, revision: str = "base") -> None:
    """Migrate `database` down to `revision` (`base`: no tables left)."""
    _on_worker_thread(lambda: command.downgrade(alembic_config(database), revision))


def new_revision(database: str | DatabaseConfig, message: str, *, autogenerate: bool = False) -> Path:
    """Write the next migration (`versions/NNNN_<slug>.py`, chained after the head) and
    return its path. With `autogenerate`, its body is the difference between the models and
    `database` (which must be at head); else empty `upgrade`/`downgrade` to fill in.

    Only from a source checkout: a migration written into an installed package is lost."""
    if not (MIGRATIONS.parents[2] / "pyproject.toml").exists():
        raise RuntimeError("db revision writes into the source tree: run it in a checkout (pip install -e .)")
    head = head_revision()
    rev_id = f"{int(head) + 1:04d}" if head.isdigit() else None
    config = alembic_config(database)
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.set_main_option("truncate_slug_length", "40")

    def write() -> Path:
        script = command.revision(config, message=message, autogenerate=autogenerate, rev_id=rev_id)
        if script is None or isinstance(script, list):  # pragma: no cover - one head, one script
            raise RuntimeError("alembic wrote no single revision")
        return Path(script.path)

    return _on_worker_thread(write)


def head_revision() -> str:
    """The schema revision this code expects."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError("no migrations found")
    return head


def _known(revision: str) -> bool:
    try:
        return ScriptDirectory(str(MIGRATIONS)).get_revision(revision) is not None
    except Exception:  # alembic raises several resolution errors for unknown revisions
        return False


def _read_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def _current_revision(database: DatabaseConfig) -> str | None:
    engine = create_engine(database)
    try:
        with translated():
            async with engine.connect() as connection:
                return await connection.run_sync(_read_revision)
    finally:
        await engine.dispose()


def current_revision(database: str | DatabaseConfig) -> str | None:
    """The database's revision; None when it was never migrated."""
    config = _config(database)
    return _on_worker_thread(lambda: asyncio.run(_current_revision(config)))


def ensure_schema(database: str | DatabaseConfig, *, auto_upgrade: bool) -> str:
    """Make sure the schema is at head before the service starts; returns the revision.

    The embedded SQLite database always upgrades itself, as does any database when
    `auto_upgrade` is set. Otherwise (PostgreSQL in production) a database behind the code
    raises `SchemaOutOfDate`, whose message names the command to run; migrating a shared
    database stays a deliberate step.
    """
    config = _config(database)
    head = head_revision()
    current = current_revision(config)
    if current == head:
        return head
    if current is not None and not _known(current):
        raise SchemaOutOfDate(
            f"the database schema is at revision {current}, which this version does not know "
            "(a newer version migrated it): deploy that version or restore the database"
        )
    if auto_upgrade or config.backend == "sqlite":
        upgrade(config)
        return head
    raise SchemaOutOfDate(
        f"the database schema is at revision {current or 'none'} but this version needs "
        f"{head}: run `{UPGRADE_COMMAND}` (with the same SIGNIN_DATABASE_URL) and start again"
    )


async def upgrade_async(database: str | DatabaseConfig, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade, database, revision)


async def ensure_schema_async(database: str | DatabaseConfig, *, auto_upgrade: bool) -> str:
    return await asyncio.to_thread(ensure_schema, database, auto_upgrade=auto_upgrade)
