"""What the token check costs the database (issue 12: `/me` opened two transactions and ran
six SELECTs per call): a recently confirmed session costs nothing, a confirmation is one
read-only transaction of four SELECTs, and `/me` adds one read-only unit of two."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import event

from adapters.memory import ManualClock, MemorySessionCache, MemoryTokenService, RandomIds
from adapters.memory.principals import LocalPrincipals
from adapters.sql import SqlDatabase
from core.errors import ErrorCode, SignInError
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


class _CountingCache(MemorySessionCache):
    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock)
        self.gets = 0

    async def get(self, session_id: str):
        self.gets += 1
        return await super().get(session_id)


async def test_concurrent_checks_of_one_session_share_one_confirmation(database: SqlDatabase):
    """32 requests in flight when the recent entry ages out: one cache read and one
    database confirmation between them, not one each (the thundering herd)."""
    clock = ManualClock()
    tokens, token = await _signed_in(database, clock)
    cache = _CountingCache(clock)
    recent = LocalPrincipals()
    check = CheckAccess(tokens, cache, recent, database.unit_of_work, clock)
    for _ in range(2):  # cold, then after the entry aged out
        with statements(database) as seen:
            answers = await asyncio.gather(*(check(token, 1, "viewer") for _ in range(32)))
        assert len(seen) == CONFIRMATION, seen
        assert {a.principal.confirmed_at for a in answers} == {clock.now()}
        clock.advance(recent.max_age)
    assert cache.gets == 2


async def _settle() -> None:
    for _ in range(20):  # let every task started so far run up to its next real wait
        await asyncio.sleep(0)


class _Held:
    """A unit-of-work factory whose units wait for `gate` before they begin."""

    def __init__(self, real, gate: asyncio.Event) -> None:
        self._real, self._gate, self.units = real, gate, 0

    def __call__(self, read_only: bool = False):
        self.units += 1
        return _HeldUnit(self._real(read_only=read_only), self._gate)


class _HeldUnit:
    def __init__(self, unit, gate: asyncio.Event) -> None:
        self._unit, self._gate = unit, gate

    async def __aenter__(self):
        await self._gate.wait()
        return await self._unit.__aenter__()

    async def __aexit__(self, *exc):
        return await self._unit.__aexit__(*exc)


class _Failing:
    """A unit-of-work factory whose first `failures` units cannot reach the database."""

    def __init__(self, real, failures: int) -> None:
        self._real, self.failures, self.units = real, failures, 0

    def __call__(self, read_only: bool = False):
        self.units += 1
        if self.failures:
            self.failures -= 1
            raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "database down")
        return self._real(read_only=read_only)


async def test_a_failed_shared_confirmation_is_not_cached(database: SqlDatabase):
    clock = ManualClock()
    tokens, token = await _signed_in(database, clock)
    uow = _Failing(database.unit_of_work, failures=1)
    check = CheckAccess(tokens, MemorySessionCache(clock), LocalPrincipals(), uow, clock)
    answers = await asyncio.gather(*(check(token) for _ in range(8)), return_exceptions=True)
    assert all(isinstance(a, SignInError) and a.code is ErrorCode.TEMPORARILY_UNAVAILABLE
               for a in answers)
    assert uow.units == 1  # shared by the eight waiting
    access = await check(token)  # the next request asks again, and the database answers
    assert access.principal.session.id and uow.units == 2


async def test_a_confirmation_older_than_the_bound_is_not_joined(database: SqlDatabase):
    """A request arriving when the confirmation in flight started `max_age` ago or more
    starts its own: a result older than the bound never vouches."""
    clock = ManualClock()
    tokens, token = await _signed_in(database, clock)
    recent = LocalPrincipals()
    gate = asyncio.Event()
    uow = _Held(database.unit_of_work, gate)
    check = CheckAccess(tokens, MemorySessionCache(clock), recent, uow, clock)
    first = asyncio.ensure_future(check(token))
    await _settle()
    joined = asyncio.ensure_future(check(token))
    await _settle()
    assert uow.units == 1
    clock.advance(recent.max_age)
    late = asyncio.ensure_future(check(token))
    await _settle()
    assert uow.units == 2
    gate.set()
    a, b, c = await asyncio.gather(first, joined, late)
    assert a.principal is b.principal
    assert c.principal.confirmed_at == clock.now() > a.principal.confirmed_at


async def test_a_session_closed_while_its_confirmation_is_in_flight_is_refused(database: SqlDatabase):
    clock = ManualClock()
    tokens, token = await _signed_in(database, clock)
    recent = LocalPrincipals()
    gate = asyncio.Event()
    check = CheckAccess(tokens, MemorySessionCache(clock), recent, _Held(database.unit_of_work, gate), clock)
    session_id = tokens.verify(token).session_id
    leader = asyncio.ensure_future(check(token))
    await _settle()
    waiter = asyncio.ensure_future(check(token))
    await _settle()
    recent.put_closed(session_id, clock.now() + timedelta(hours=1))  # a local logout meanwhile
    gate.set()
    answers = await asyncio.gather(leader, waiter, return_exceptions=True)
    assert all(isinstance(a, SignInError) and a.code is ErrorCode.INVALID_TOKEN for a in answers)


async def test_me_reads_the_database_once_per_confirmation(database: SqlDatabase):
    """`/me` (check + describe) while the principal is recent costs nothing; once it aged
    out, one confirmation and one description again, so what the database says now (a
    membership removed, here) shows within the same bound as for the check."""
    clock = ManualClock()
    tokens, token = await _signed_in(database, clock)
    recent = LocalPrincipals()
    check = CheckAccess(tokens, MemorySessionCache(clock), recent, database.unit_of_work, clock)
    describe = DescribeSession(database.unit_of_work)
    with statements(database) as seen:
        first = await describe(await check(token))
    assert len(seen) == CONFIRMATION + DESCRIPTION
    with statements(database) as seen:
        for _ in range(20):
            again = await describe(await check(token))
    assert seen == [] and again is first
    async with database.unit_of_work() as uow:
        user_id = first.user.id
        await uow.memberships.remove(user_id, 1)
        await uow.commit()
    clock.advance(recent.max_age)
    with statements(database) as seen:
        later = await describe(await check(token))
    assert len(seen) == CONFIRMATION + DESCRIPTION
    assert [m.workspace_id for m in first.memberships] == [1] and later.memberships == ()


async def test_concurrent_descriptions_of_one_principal_share_one_read(database: SqlDatabase):
    """32 `/me` in flight when a confirmation renews the principal: one confirmation and
    one description between them, not a description each (the herd, again)."""
    clock = ManualClock()
    tokens, token = await _signed_in(database, clock)
    recent = LocalPrincipals()
    check = CheckAccess(tokens, MemorySessionCache(clock), recent, database.unit_of_work, clock)
    describe = DescribeSession(database.unit_of_work)

    async def me():
        return await describe(await check(token))

    for _ in range(2):  # cold, then after the principal aged out
        with statements(database) as seen:
            profiles = await asyncio.gather(*(me() for _ in range(32)))
        assert len(seen) == CONFIRMATION + DESCRIPTION, seen
        assert len({id(p) for p in profiles}) == 1
        clock.advance(recent.max_age)
