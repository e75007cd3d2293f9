"""Alembic migrations of the SQL adapter (run them with `adapters.sql.migrate`)."""
