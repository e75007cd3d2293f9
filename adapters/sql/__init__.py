"""The SQL adapter: the unit of work and repositories over SQLite or PostgreSQL
(SQLAlchemy 2 async, Alembic migrations). See docs/persistence.md.

Nothing here connects at import time; `SqlDatabase` connects lazily.
"""
from adapters.sql.crypto import InvalidTokenKey, TokenCipher, generate_key, load_or_create_key_file
from adapters.sql.database import SqlDatabase
from adapters.sql.engine import DEFAULT_URL, DatabaseConfig
from adapters.sql.migrate import (
    SchemaOutOfDate,
    current_revision,
    downgrade,
    ensure_schema,
    ensure_schema_async,
    head_revision,
    upgrade,
    upgrade_async,
)
from adapters.sql.unit_of_work import SqlUnitOfWork

__all__ = [
    "DEFAULT_URL", "DatabaseConfig", "InvalidTokenKey", "SchemaOutOfDate", "SqlDatabase",
    "SqlUnitOfWork", "TokenCipher", "current_revision", "downgrade", "ensure_schema",
    "ensure_schema_async", "generate_key", "head_revision", "load_or_create_key_file",
    "upgrade", "upgrade_async",
]
