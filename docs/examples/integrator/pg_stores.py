"""A flow store and a session cache on PostgreSQL `UNLOGGED` tables: a worked example of an
adapter written outside azure-signin, against its ports only (docs/integrators.md).

Why these tables: a flow lives for minutes and a cache entry is an accelerator, so neither
needs the write-ahead log. An `UNLOGGED` table skips it (faster writes, no replication) and
is emptied after a crash, which both ports allow: a lost flow is a login to start again, a
lost cache entry a database read. `take` is one `DELETE ... RETURNING`: PostgreSQL lets one
statement delete a row once, so of any number of concurrent callbacks exactly one gets the
flow. Expiry is judged by the `Clock` the adapter is given (the service's own clock, or a
test's manual one); rows past their time are purged on the next write.

Every call is bounded by `timeout` seconds in all (waiting for a connection included); a
database that cannot be reached in time is `SignInError(temporarily_unavailable)`, as the
ports require.

    pool = LazyPool("postgresql://signin@db/signin")   # or an asyncpg pool of your own
    flows = PostgresFlowStore(pool, SystemClock())
    await flows.create_table()                          # once, like a migration

`signin_app.py` beside this file wires both into the service.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints

from core.errors import ErrorCode, SignInError
from core.identity import LoginFlow
from core.ports.clock import Clock
from core.ports.sessions import CachedSession

_TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
TAKE = "DELETE FROM {table} WHERE state = $1 RETURNING flow, expires_at"


def _table(name: str) -> str:
    """A table name is interpolated into SQL, so only plain lower-case identifiers."""
    if not _TABLE_NAME.fullmatch(name):
        raise ValueError(f"not a plain table name: {name!r}")
    return name


class LazyPool:
    """An asyncpg pool made on first use, inside the event loop that uses it: the service's
    container is built before any loop runs, and a pool belongs to one loop. Shared by the
    stores given it; `aclose()` at shutdown."""

    def __init__(self, dsn: str, *, max_size: int = 10, timeout: float = 2.0) -> None:
        self._dsn = dsn
        self._max_size = max_size
        self._timeout = timeout
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> asyncpg.Pool:
        async with self._lock:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self._dsn, min_size=1, max_size=self._max_size,
                    timeout=self._timeout, command_timeout=self._timeout,
                )
            return self._pool

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


class _Tables:
    def __init__(self, pool: asyncpg.Pool | LazyPool, clock: Clock, table: str, timeout: float) -> None:
        self._pool = pool
        self._clock = clock
        self._table = _table(table)
        self._timeout = timeout

    @asynccontextmanager
    async def _connection(self, what: str) -> AsyncIterator[asyncpg.Connection]:
        try:
            async with asyncio.timeout(self._timeout):
                pool = await self._pool.get() if isinstance(self._pool, LazyPool) else self._pool
                async with pool.acquire() as connection:
                    yield connection
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, f"the {what} is unreachable") from error

    async def drop_table(self) -> None:
        async with self._connection("store") as db:
            await db.execute(f"DROP TABLE IF EXISTS {self._table}")


class PostgresFlowStore(_Tables):
    """`core.ports.flows.FlowStore` on an `UNLOGGED` table of JSON values."""

    def __init__(
        self,
        pool: asyncpg.Pool | LazyPool,
        clock: Clock,
        *,
        table: str = "signin_flows",
        timeout: float = 2.0,
    ) -> None:
        super().__init__(pool, clock, table, timeout)

    async def create_table(self) -> None:
        async with self._connection("flow store") as db:
            await db.execute(
                f"CREATE UNLOGGED TABLE IF NOT EXISTS {self._table} ("
                " state text PRIMARY KEY, flow jsonb NOT NULL, expires_at timestamptz NOT NULL)"
            )

    async def put(self, flow: LoginFlow, ttl: timedelta) -> None:
        now = self._clock.now()
        async with self._connection("flow store") as db:
            await db.execute(f"DELETE FROM {self._table} WHERE expires_at <= $1", now)  # noqa: S608
            await db.execute(
                f"INSERT INTO {self._table} (state, flow, expires_at) VALUES ($1, $2::jsonb, $3)"  # noqa: S608
                " ON CONFLICT (state) DO UPDATE SET flow = EXCLUDED.flow, expires_at = EXCLUDED.expires_at",
                flow.state, json.dumps(_flow_to_json(flow)), now + ttl,
            )

    async def take(self, state: str) -> LoginFlow | None:
        async with self._connection("flow store") as db:
            row = await db.fetchrow(TAKE.format(table=self._table), state)
        if row is None or row["expires_at"] <= self._clock.now():
            return None
        return _flow_from_json(json.loads(row["flow"]))


class PostgresSessionCache(_Tables):
    """`core.ports.sessions.SessionCache` on an `UNLOGGED` table."""

    def __init__(
        self,
        pool: asyncpg.Pool | LazyPool,
        clock: Clock,
        *,
        table: str = "signin_session_cache",
        timeout: float = 2.0,
    ) -> None:
        super().__init__(pool, clock, table, timeout)

    async def create_table(self) -> None:
        async with self._connection("session cache") as db:
            await db.execute(
                f"CREATE UNLOGGED TABLE IF NOT EXISTS {self._table} ("
                " session_id text PRIMARY KEY, user_id text NOT NULL,"
                " session_expires_at timestamptz NOT NULL, revoked boolean NOT NULL,"
                " expires_at timestamptz NOT NULL)"
            )

    async def put(self, entry: CachedSession, ttl: timedelta) -> None:
        now = self._clock.now()
        async with self._connection("session cache") as db:
            await db.execute(f"DELETE FROM {self._table} WHERE expires_at <= $1", now)  # noqa: S608
            await db.execute(
                f"INSERT INTO {self._table} AS t"  # noqa: S608
                " (session_id, user_id, session_expires_at, revoked, expires_at)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_id) DO UPDATE SET"
                " user_id = EXCLUDED.user_id, session_expires_at = EXCLUDED.session_expires_at,"
                " revoked = EXCLUDED.revoked, expires_at = EXCLUDED.expires_at",
                entry.session_id, entry.user_id, entry.expires_at, entry.revoked, now + ttl,
            )

    async def get(self, session_id: str) -> CachedSession | None:
        async with self._connection("session cache") as db:
            row = await db.fetchrow(
                f"SELECT user_id, session_expires_at, revoked FROM {self._table}"  # noqa: S608
                " WHERE session_id = $1 AND expires_at > $2",
                session_id, self._clock.now(),
            )
        if row is None:
            return None
        return CachedSession(session_id, row["user_id"], row["session_expires_at"], row["revoked"])

    async def delete(self, session_id: str) -> None:
        async with self._connection("session cache") as db:
            await db.execute(f"DELETE FROM {self._table} WHERE session_id = $1", session_id)  # noqa: S608


def _flow_to_json(flow: LoginFlow) -> dict[str, Any]:
    return {
        "state": flow.state,
        "authority": flow.authority,
        "protocol": dict(flow.protocol),
        "binding_hash": flow.binding_hash,
        "created_at": flow.created_at.isoformat(),
        "frontend_origin": flow.frontend_origin,
        "return_path": flow.return_path,
        "password_reset": flow.password_reset,
    }


def _flow_from_json(data: dict[str, Any]) -> LoginFlow:
    return LoginFlow(**{**data, "created_at": datetime.fromisoformat(data["created_at"])})
