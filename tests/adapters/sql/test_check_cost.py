"""What the token check costs the database (issue 12: `/me` opened two transactions and ran
six SELECTs per call): a recently confirmed session costs nothing, a confirmation is one
read-only transaction of four SELECTs, and `/me` adds one read-only unit of two."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from adapters.memory import ManualClock, MemorySessionCache, MemoryTokenService, RandomIds
from adapters.memory.principals import LocalPrincipals
from adapters.sql import SqlDatabase
from core.identity import SessionClaims
from core.policy import SignInPolicy
from core.usecases.check_access import CheckAccess
from core.usecases.record_signin import RecordSignIn
from core.usecases.users import DescribeSession
from tests.adapters.sql.signin_support import add_workspace_with_roles, invite, person
from tests.adapters.sql.test_statement_counts import statements

CONFIRMATION = 4  # session, user, memberships, roles
DESCRIPTION = 2   # accounts, workspaces


async def _signed_in(database: SqlDatabase, clock: ManualClock):
    workspace = await add_workspace_with_roles(database)
    await invite(database, "ada@contoso.com", workspace)
    record = await RecordSignIn(database.unit_of_work, clock, RandomIds(), SignInPolicy())(
        person("ada", "contoso.com"))
    tokens = MemoryTokenService(clock, RandomIds())
    now = clock.now()
    claims = SessionClaims(record.user.id, record.session.id, "jti", now, now + timedelta(hours=1))
    return tokens, tokens.issue(claims)


def _transactions(seen: list[str]) -> list[str]:
    return [s for s in seen if s.lstrip().upper().startswith("BEGIN")]


async def test_a_check_costs_one_read_only_transaction_then_nothing_while_recent(database: SqlDatabase):
    clock = ManualClock()
    tokens, token = await _signed_in(database, clock)
    recent = LocalPrincipals()
    check = CheckAccess(tokens, MemorySessionCache(clock), recent, database.unit_of_work, clock)
    began: list[str] = []

    def on_begin(conn) -> None:
        began.append("begin")

    event.listen(database.engine.sync_engine, "begin", on_begin)
    try:
        with statements(database) as seen:
            access = await check(token, 1, "viewer")
        assert len(seen) == CONFIRMATION, seen
        assert len(began) == 1
        assert [g.role for g in access.principal.grants] == ["editor"]
        with statements(database) as seen:
            for _ in range(50):
                await check(token, 1, "editor")
        assert seen == [] and len(began) == 1
        clock.advance(recent.max_age)
        with statements(database) as seen:
            await check(token)
        assert len(seen) == CONFIRMATION
        with statements(database) as seen:
            profile = await DescribeSession(database.unit_of_work)(await check(token))
        assert len(seen) == DESCRIPTION and len(began) == 3
        assert [(m.workspace_id, m.role) for m in profile.memberships] == [(1, "editor")]
    finally:
        event.remove(database.engine.sync_engine, "begin", on_begin)
