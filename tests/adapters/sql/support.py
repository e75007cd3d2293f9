"""Helpers of the SQL adapter's tests: out-of-band queries and one-off statements."""
from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from adapters.sql import DatabaseConfig, SqlDatabase
from adapters.sql.engine import create_engine
from adapters.sql.migrate import _on_worker_thread
from core.model import IdentityProvider, ProviderKind, User, UserAccount, UserDirectory

# the row_counts names follow the in-memory adapter's tables
COUNTED = {
    "users": "users",
    "accounts": "user_accounts",
    "directories": "user_directories",
    "providers": "identity_providers",
    "workspaces": "workspaces",
    "roles": "roles",
    "memberships": "memberships",
    "invites": "invites",
    "sessions": "sessions",
    "role_mappings": "role_mappings",
    "audit_events": "audit_events",
    "clients": "resource_clients",
}
TABLES = (*COUNTED.values(), "provider_domains")


def run_async(job: Callable[[], Awaitable[Any]]) -> Any:
    """Run a coroutine from sync code, even when a loop is running in this thread."""
    return _on_worker_thread(lambda: asyncio.run(job()))  # type: ignore[arg-type]


async def execute_once(config: DatabaseConfig, *statements: str) -> None:
    engine = create_engine(config)
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


def new_schema_name() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


async def count_rows(database: SqlDatabase) -> dict[str, int]:
    """Out-of-band row counts, on a connection of their own."""
    async with database.engine.connect() as connection:
        found = {}
        for name, table in COUNTED.items():
            found[name] = (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
        await connection.rollback()
        return found


async def raw_value(database: SqlDatabase, sql: str, **params: Any) -> Any:
    async with database.engine.connect() as connection:
        value = (await connection.execute(text(sql), params)).scalar()
        await connection.rollback()
        return value


NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def a_user(user_id: str = "u1", email: str | None = "ada@contoso.com", **changes: Any) -> User:
    return replace(
        User(
            id=user_id,
            email=email,
            display_email=email,
            display_name="Ada",
            created_at=NOW,
        ),
        **changes,
    )


def a_directory(directory_id: str = "d1", domain: str | None = "contoso.com") -> UserDirectory:
    return UserDirectory(id=directory_id, name=domain or "default", domain=domain, created_at=NOW)


def a_provider(
    provider_id: str = "p1",
    issuer: str = "https://login.example/contoso/v2.0",
    directory_id: str = "d1",
    domains: tuple[str, ...] = ("contoso.com",),
) -> IdentityProvider:
    return IdentityProvider(
        id=provider_id,
        name=f"provider {provider_id}",
        kind=ProviderKind.EXTERNAL_AD,
        issuer=issuer,
        directory_id=directory_id,
        domains=domains,
        trusted=True,
        created_at=NOW,
    )


def an_account(
    account_id: str = "a1", user_id: str = "u1", object_id: str = "oid-1", **changes: Any
) -> UserAccount:
    return replace(
        UserAccount(
            id=account_id,
            user_id=user_id,
            issuer="https://login.example/contoso/v2.0",
            object_id=object_id,
            tenant_id="tid",
            provider_id="p1",
            directory_id="d1",
            email="ada@contoso.com",
            display_name="Ada",
            created_at=NOW,
            last_login_at=NOW,
        ),
        **changes,
    )


async def seed_person(database: SqlDatabase, user: User | None = None) -> User:
    """A directory, a provider, a user and one account, committed."""
    user = user or a_user()
    async with database.unit_of_work() as uow:
        await uow.directories.add(a_directory())
        await uow.providers.add(a_provider())
        await uow.users.add(user)
        await uow.accounts.add(an_account(user_id=user.id))
        await uow.commit()
    return user


def sqlite_row_counts(path: str) -> dict[str, int]:
    """Row counts read with the stdlib driver: a plain reader, outside the adapter's engine
    (whose units take SQLite's write lock), so it works while a unit is open."""
    connection = sqlite3.connect(path)
    try:
        return {
            name: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for name, table in COUNTED.items()
        }
    finally:
        connection.close()
