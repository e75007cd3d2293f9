"""Bounded work: a sign-in issues a fixed number of statements (issue 5, point 5)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from adapters.memory import ManualClock, RandomIds
from adapters.sql import SqlDatabase
from core.model import Invite, InviteStatus
from core.policy import SignInPolicy
from core.usecases.record_signin import RecordSignIn
from tests.adapters.sql.signin_support import EPOCH, add_workspace_with_roles, invite, person
from tests.adapters.sql.support import raw_value

# Statements of one sign-in, transaction control (BEGIN/COMMIT) not counted:
# returning: account by key, user, account update, applicable invites, memberships,
# roles, the provider's role mappings, session insert.
RETURNING = 8
# new person of a known organisation: account by key, provider by issuer, provider by
# domain, user by email, directory by domain, default directory, user insert, account
# insert, applicable invites, roles, the provider's role mappings, session insert.
NEW_USER = 12
# first person of a new organisation: + directory, provider and provider-domain inserts
NEW_ORGANISATION = NEW_USER + 3
# each applied invite: membership insert + invite update; a landing: user update + workspace
PER_APPLIED_INVITE = 2
LANDING = 2


@contextmanager
def statements(database: SqlDatabase) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(statement)

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _signin(database: SqlDatabase, clock: ManualClock) -> RecordSignIn:
    return RecordSignIn(database.unit_of_work, clock, RandomIds(), SignInPolicy())


async def test_returning_user_and_new_users_take_fixed_statement_counts(database: SqlDatabase):
    clock = ManualClock()
    signin = _signin(database, clock)
    with statements(database) as seen:
        await signin(person("first", "contoso.com"))
    assert len(seen) == NEW_ORGANISATION, seen
    with statements(database) as seen:
        await signin(person("second", "contoso.com"))
    assert len(seen) == NEW_USER, seen
    with statements(database) as seen:
        await signin(person("first", "contoso.com"))
    assert len(seen) == RETURNING, seen


async def test_the_count_does_not_grow_with_the_number_of_users(database: SqlDatabase):
    clock = ManualClock()
    signin = _signin(database, clock)
    await signin(person("ada", "contoso.com"))
    await signin(person("bob", "contoso.com"))
    for n in range(30):
        await signin(person(f"p{n}", "contoso.com"))
    with statements(database) as seen:
        await signin(person("ada", "contoso.com"))
    assert len(seen) == RETURNING
    with statements(database) as seen:
        await signin(person("newcomer", "contoso.com"))
    assert len(seen) == NEW_USER


async def test_a_thousand_invites_take_one_query_and_only_valid_ones_apply(database: SqlDatabase):
    clock = ManualClock()
    now = clock.now()
    signin = _signin(database, clock)
    await signin(person("bob", "contoso.com"))  # the organisation exists: a NEW_USER sign-in
    valid_workspaces = [await add_workspace_with_roles(database) for _ in range(3)]
    other = await add_workspace_with_roles(database)
    gone = await add_workspace_with_roles(database)
    for workspace_id in valid_workspaces:
        await invite(database, "ada@contoso.com", workspace_id)
    kinds = [
        {"status": InviteStatus.PENDING},
        {"status": InviteStatus.REVOKED},
        {"expires_at": now - timedelta(seconds=1)},
        {"expires_at": now},
        {"workspace_id": gone},
        {"email": "eve@contoso.com"},
    ]
    async with database.unit_of_work() as uow:
        for n in range(997):
            changes = kinds[n % len(kinds)]
            await uow.invites.add(
                Invite(
                    id=f"invalid-{n:04}",
                    email=changes.get("email", "ada@contoso.com"),
                    workspace_id=changes.get("workspace_id", other),
                    role="editor",
                    status=changes.get("status", InviteStatus.ACCEPTED),
                    created_at=EPOCH,
                    expires_at=changes.get("expires_at"),
                )
            )
        await uow.workspaces.remove(gone)
        await uow.commit()
    assert await raw_value(database, "SELECT count(*) FROM invites") == 1000

    with statements(database) as seen:
        result = await signin(person("ada", "contoso.com"))
    assert len(result.applied_invites) == 3
    assert {i.workspace_id for i in result.applied_invites} == set(valid_workspaces)
    assert len(seen) == NEW_USER + 3 * PER_APPLIED_INVITE + LANDING, seen
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT") and "FROM invites" in s]) == 1
    assert await raw_value(database, "SELECT count(*) FROM invites WHERE status = 'applied'") == 3
    assert await raw_value(database, "SELECT count(*) FROM memberships") == 3
