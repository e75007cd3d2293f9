"""Alembic environment: runs the migrations over this adapter's own async engine.

The database comes from `config.attributes["database_config"]` (set by
`adapters.sql.migrate`), else from the `sqlalchemy.url` option, else from
SIGNIN_DATABASE_URL. Alembic's logging configuration is left alone: the service owns it.
"""
from __future__ import annotations

import asyncio
import os
from dataclasses import replace

from alembic import context
from sqlalchemy.engine import Connection

from adapters.sql.engine import DEFAULT_URL, DatabaseConfig, create_engine
from adapters.sql.tables import metadata

config = context.config


def _database_config() -> DatabaseConfig:
    given = config.attributes.get("database_config")
    if isinstance(given, DatabaseConfig):
        return given
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("SIGNIN_DATABASE_URL")
    return DatabaseConfig(url=url or DEFAULT_URL)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        # SQLite cannot ALTER most things: later migrations rebuild tables in batch mode
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    # one connection is all a migration needs; the statement timeout is lifted for DDL
    database = replace(_database_config(), pool_size=1, max_overflow=0, statement_timeout=600.0)
    engine = create_engine(database)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=str(_database_config().async_url),
        target_metadata=metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
