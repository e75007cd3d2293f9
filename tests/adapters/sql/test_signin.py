"""The sign-in use case over the SQL adapter: races, atomicity and bounded work (issue 5)."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from adapters.memory import ManualClock, RandomIds
from adapters.sql import SqlDatabase
from core.model import InviteStatus, MicrosoftTokens
from core.policy import SignInPolicy
from core.usecases.record_signin import RecordSignIn
from tests.adapters.sql.signin_support import (
    FailingAfterAccountInsert,
    add_workspace_with_roles,
    invite,
    person,
)
from tests.adapters.sql.support import count_rows, raw_value


def record(database: SqlDatabase, clock: ManualClock | None = None, uow=None) -> RecordSignIn:
    return RecordSignIn(uow or database.unit_of_work, clock or ManualClock(), RandomIds(), SignInPolicy())


async def test_twenty_concurrent_first_sign_ins_make_one_user_and_one_account(database: SqlDatabase):
    signin = record(database)
    identity = person("ada", "contoso.com")
    results = await asyncio.gather(*(signin(identity) for _ in range(20)), return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert len({r.user.id for r in results}) == 1
    assert len({r.account.id for r in results}) == 1
    assert len({r.session.id for r in results}) == 20
    rows = await count_rows(database)
    assert (rows["users"], rows["accounts"], rows["sessions"]) == (1, 1, 20)
    assert (rows["providers"], rows["directories"]) == (1, 1)


async def test_fifty_concurrent_sign_ins_over_five_new_domains(database: SqlDatabase):
    signin = record(database)
    domains = [f"org{n}.example" for n in range(5)]
    people = [person(f"p{i}", domains[i % 5]) for i in range(50)]
    results = await asyncio.gather(*(signin(p) for p in people), return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    rows = await count_rows(database)
    assert (rows["users"], rows["accounts"]) == (50, 50)
    assert (rows["providers"], rows["directories"]) == (5, 5)
    for domain in domains:
        for table in ("user_directories", "provider_domains"):
            sql = f"SELECT count(*) FROM {table} WHERE domain = :d"
            assert await raw_value(database, sql, d=domain) == 1, (table, domain)


async def test_ten_concurrent_sign_ins_of_an_invitee_apply_the_invite_once(database: SqlDatabase):
    signin = record(database)
    identity = person("ada", "contoso.com")
    first = await signin(identity)
    workspace_id = await add_workspace_with_roles(database)
    await invite(database, "ada@contoso.com", workspace_id)
    results = await asyncio.gather(*(signin(identity) for _ in range(10)), return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert sum(len(r.applied_invites) for r in results) == 1
    assert {r.workspace.id for r in results if r.workspace} == {workspace_id}
    rows = await count_rows(database)
    assert rows["memberships"] == 1
    applied_to = await raw_value(database, "SELECT applied_user_id FROM invites WHERE status = 'applied'")
    assert applied_to == first.user.id


async def test_a_failure_after_the_account_insert_leaves_nothing(database: SqlDatabase):
    workspace_id = await add_workspace_with_roles(database)
    await invite(database, "ada@contoso.com", workspace_id)
    before = await count_rows(database)
    failing = FailingAfterAccountInsert(database.unit_of_work)
    with pytest.raises(RuntimeError, match="injected"):
        await record(database, uow=failing)(
            person("ada", "contoso.com"), microsoft_tokens=MicrosoftTokens("at")
        )
    assert failing.account_inserted
    assert await count_rows(database) == before
    assert await raw_value(database, "SELECT count(*) FROM provider_domains") == 0
    assert await raw_value(database, "SELECT status FROM invites") == "accepted"
    # the same sign-in without the fault writes all of it: the check above can fail
    result = await record(database)(person("ada", "contoso.com"))
    assert result.applied_invites and result.workspace.id == workspace_id
    after = await count_rows(database)
    for table in ("users", "accounts", "directories", "providers", "memberships", "sessions"):
        assert after[table] == before[table] + 1, table


async def test_expired_invites_are_not_applied_at_sign_in(database: SqlDatabase):
    clock = ManualClock()
    workspace_id = await add_workspace_with_roles(database)
    await invite(database, "ada@contoso.com", workspace_id, expires_at=clock.now() - timedelta(seconds=1))
    result = await record(database, clock)(person("ada", "contoso.com"))
    assert result.applied_invites == () and result.workspace is None
    assert await raw_value(database, "SELECT status FROM invites") == InviteStatus.ACCEPTED.value
