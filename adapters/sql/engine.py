"""Database settings and the async engine built from them.

A plain URL is enough: `sqlite:///var/signin.db` or `postgresql://user@host:5432/db`. The
adapter picks its own async driver (aiosqlite, asyncpg) whatever driver the URL names, so a
setting written for another tool still works here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

DEFAULT_URL = "sqlite:///var/signin.db"


@dataclass(frozen=True)
class DatabaseConfig:
    """How to reach the database.

    `pool_timeout` bounds the wait for a free connection and `connect_timeout` the opening
    of a new one, so a database that is down fails fast instead of hanging a sign-in.
    `statement_timeout` is enforced by PostgreSQL itself, per connection, and by the client
    for a server that stops answering. `operation_timeout` (None: unbounded) bounds one whole
    unit of work (checkout, pre-ping, reconnect, every statement, commit), so that a timeout
    setting is never multiplied by the steps it takes. `schema` puts every
    table (and Alembic's version table) in that PostgreSQL schema, through `search_path`.
    """

    url: str = DEFAULT_URL
    pool_size: int = 5
    max_overflow: int = 5
    pool_timeout: float = 10.0
    connect_timeout: float = 5.0
    statement_timeout: float = 15.0
    operation_timeout: float | None = None
    schema: str | None = None

    @property
    def async_url(self) -> URL:
        return async_url(self.url)

    @property
    def backend(self) -> str:
        return self.async_url.get_backend_name()


def async_url(url: str | URL) -> URL:
    """The URL with the async driver this adapter uses for its backend."""
    parsed = make_url(url) if isinstance(url, str) else url
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend in {"postgresql", "postgres"}:
        return parsed.set(drivername="postgresql+asyncpg")
    raise ValueError(f"unsupported database backend {backend!r} (use sqlite or postgresql)")


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL; None for an in-memory database."""
    database = url.database
    if not database or database == ":memory:" or "mode=memory" in str(url.query):
        return None
    return Path(database)


def create_engine(config: DatabaseConfig) -> AsyncEngine:
    """A new engine for `config` (connects lazily). SQLite: creates the file's folder."""
    url = config.async_url
    if config.backend == "sqlite":
        return _sqlite_engine(url, config)
    return _postgres_engine(url, config)


def _postgres_engine(url: URL, config: DatabaseConfig) -> AsyncEngine:
    statement_ms = str(int(config.statement_timeout * 1000))
    server_settings = {
        "statement_timeout": statement_ms,
        # a transaction left open by a crashed caller must not hold locks forever
        "idle_in_transaction_session_timeout": str(int(config.statement_timeout * 4000)),
        "timezone": "UTC",
    }
    if config.schema:
        server_settings["search_path"] = config.schema
    connect_args: dict[str, Any] = {
        "timeout": config.connect_timeout,
        # the client-side bound covers a server that stops answering altogether
        "command_timeout": config.statement_timeout,
        "server_settings": server_settings,
    }
    return create_async_engine(
        url,
        pool_size=config.pool_size,
        max_overflow=config.max_overflow,
        pool_timeout=config.pool_timeout,
        pool_pre_ping=True,
        hide_parameters=True,  # parameters can hold emails and ciphertexts: keep them out of errors
        connect_args=connect_args,
    )


def _sqlite_engine(url: URL, config: DatabaseConfig) -> AsyncEngine:
    path = sqlite_file(url)
    if path is None:
        # each engine (and the migrations' own) would see a different empty database
        raise ValueError("in-memory SQLite is not supported: use a file, e.g. sqlite:///var/signin.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url,
        hide_parameters=True,
        pool_size=config.pool_size,
        max_overflow=config.max_overflow,
        pool_timeout=config.pool_timeout,
        # sqlite3's busy timeout: how long a writer waits for another one to finish
        connect_args={"timeout": config.pool_timeout},
    )
    _take_over_sqlite_transactions(engine)
    return engine


def _take_over_sqlite_transactions(engine: AsyncEngine) -> None:
    """Foreign keys on for every connection, and one real transaction per unit of work.

    sqlite3's legacy mode starts no transaction for SELECT, so a unit of work that reads
    and then writes would not be isolated. We emit BEGIN IMMEDIATE ourselves for units that
    write: writers queue at the start of a unit (within the busy timeout) instead of failing
    mid-way with a lock upgrade that SQLite cannot wait for. A read-only unit (marked by the
    `signin_read_only` execution option) gets a plain deferred BEGIN: under WAL it reads a
    consistent snapshot and neither waits for nor blocks the writer.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL: readers outside a unit (health checks, backups) never wait for a writer
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get("signin_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def watch_pool(engine: AsyncEngine, on_change: Callable[[int, int], None]) -> None:
    """Tell `on_change(in_use, size)` the pool's connections checked out and its size at
    every checkout and return (metrics): two O(1) reads of the pool, no I/O."""
    pool = engine.sync_engine.pool
    size = getattr(pool, "size", None)

    checked_out = getattr(pool, "checkedout", None)

    def changed(returning: int) -> None:
        in_use = checked_out() - returning if checked_out else 0
        on_change(max(in_use, 0), size() if size else 0)

    event.listen(pool, "checkout", lambda *_: changed(0))
    # fired before the connection is back in the pool: it still counts as checked out
    event.listen(pool, "checkin", lambda *_: changed(1))
    changed(0)
