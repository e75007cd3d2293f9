"""The workspace use cases racing themselves on PostgreSQL (read committed, real
concurrency): two accepts of one link grant once, two owners stepping down leave one, two
invites of one address leave one pending."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from adapters.memory import RandomIds, SystemClock
from adapters.sql import DatabaseConfig, SqlDatabase
from core.errors import AdminError
from core.model import Membership, User
from core.policy import SignInPolicy
from core.rules.workspaces import Actor
from core.usecases.administration import Administration
from core.usecases.invites import AcceptInvite, CreateInvite, NewInvite
from core.usecases.members import ChangeMemberRole
from tests.adapters.sql.support import count_rows

pytestmark = pytest.mark.postgres


@pytest.fixture
async def database(postgres_config: DatabaseConfig, token_key: str) -> AsyncIterator[SqlDatabase]:
    db = SqlDatabase(postgres_config, token_key=token_key)
    yield db
    await db.dispose()


async def _people(db: SqlDatabase, *members: tuple[str, str | None]) -> list[str]:
    """Users (email, role in workspace 1 or None); their ids."""
    admin = Administration(db.unit_of_work, SystemClock(), RandomIds(), SignInPolicy())
    await admin.ensure_roles()
    await admin.add_workspace("Acme", "https://app.example.com")
    ids = []
    async with db.unit_of_work() as uow:
        for n, (email, role) in enumerate(members):
            user = User(f"u{n}", email, email, f"P{n}", datetime.now(UTC))
            await uow.users.add(user)
            if role is not None:
                await uow.memberships.add(Membership(user.id, 1, role, datetime.now(UTC)))
            ids.append(user.id)
        await uow.commit()
    return ids


def _outcomes(results: list[object]) -> list[str]:
    return sorted(r.code.value if isinstance(r, AdminError) else "ok" for r in results)


async def test_two_concurrent_accepts_of_one_link_grant_once(database: SqlDatabase) -> None:
    owner, erin = await _people(database, ("olga@contoso.com", "owner"), ("erin@contoso.com", None))
    clock, ids = SystemClock(), RandomIds()
    made = await CreateInvite(database.unit_of_work, clock, ids, SignInPolicy())(
        NewInvite(Actor(owner), 1, "erin@contoso.com", "editor")
    )
    accept = AcceptInvite(database.unit_of_work, clock, ids)
    results = await asyncio.gather(
        *(accept(Actor(erin), made.token) for _ in range(4)), return_exceptions=True
    )
    assert _outcomes(results) == ["invite_used", "invite_used", "invite_used", "ok"]
    rows = await count_rows(database)
    assert rows["memberships"] == 2 and rows["audit_events"] == 2  # created + accepted, once


async def test_two_owners_stepping_down_at_once_leave_one(database: SqlDatabase) -> None:
    a, b = await _people(database, ("a@contoso.com", "owner"), ("b@contoso.com", "owner"))
    change = ChangeMemberRole(database.unit_of_work, SystemClock(), RandomIds())
    results = await asyncio.gather(
        change(Actor(a), 1, a, "viewer"), change(Actor(b), 1, b, "viewer"), return_exceptions=True
    )
    assert _outcomes(results) == ["last_owner", "ok"]
    async with database.unit_of_work() as uow:
        roles = [m.role for m in await uow.memberships.for_workspace(1)]
    assert sorted(roles) == ["owner", "viewer"]


async def test_two_concurrent_invites_of_one_address_leave_one_pending(database: SqlDatabase) -> None:
    (owner,) = await _people(database, ("olga@contoso.com", "owner"))
    create = CreateInvite(database.unit_of_work, SystemClock(), RandomIds(), SignInPolicy())
    results = await asyncio.gather(
        *(create(NewInvite(Actor(owner), 1, "erin@contoso.com", "viewer")) for _ in range(2)),
        return_exceptions=True,
    )
    assert _outcomes(results) == ["invite_pending", "ok"]
    assert (await count_rows(database))["invites"] == 1
