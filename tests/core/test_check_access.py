"""`CheckAccess`, the hot path's token check: what a recent confirmation may vouch for, and
what always goes back to the database."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.memory.principals import LocalPrincipals
from core.errors import ErrorCode, SignInError
from core.identity import SessionClaims
from core.model import Membership
from core.ports import CachedSession, Revocation
from core.usecases.check_access import CheckAccess
from core.usecases.sessions import forget_revoked
from tests.core.builders import aad
from tests.core.world import World

ALICE = aad("alice@contoso.com")
BOUND = LocalPrincipals().max_age


async def failure(awaitable: object) -> ErrorCode:
    with pytest.raises(SignInError) as caught:
        await awaitable  # type: ignore[misc]
    return caught.value.code


async def refusal(awaitable: object) -> tuple[ErrorCode, str]:
    """The refusal's code and the reason it gives for the log."""
    with pytest.raises(SignInError) as caught:
        await awaitable  # type: ignore[misc]
    return caught.value.code, caught.value.detail


class CountingUnits:
    """The world's units of work, counted: a check that opens none asked nobody."""

    def __init__(self, world: World) -> None:
        self.world, self.opened, self.read_only = world, 0, 0

    def __call__(self, *, read_only: bool = False):  # type: ignore[no-untyped-def]
        self.opened += 1
        self.read_only += read_only
        return self.world.db.unit_of_work(read_only=read_only)


def counted(world: World) -> tuple[CheckAccess, CountingUnits]:
    units = CountingUnits(world)
    return CheckAccess(world.tokens, world.cache, world.recent, units, world.clock), units


async def revoke_behind_its_back(world: World, session_id: str) -> None:
    """A revocation by another process: the database changes, this process is not told."""
    async with world.db.unit_of_work() as uow:
        await uow.sessions.revoke(session_id, world.clock.now())
        await uow.commit()
    await world.cache.delete(session_id)


async def test_a_valid_token_is_confirmed_once_in_one_read_only_unit_then_vouched_for(world: World) -> None:
    check, units = counted(world)
    done = await world.login(ALICE)
    first = await check(done.token)
    assert first.principal.session.id == done.session_id and first.claims.subject == done.user_id
    assert (units.opened, units.read_only) == (1, 1)
    world.clock.advance(BOUND / 2)
    await check(done.token)
    assert units.opened == 1  # no database round trip
    world.clock.advance(BOUND)
    await check(done.token)
    assert units.opened == 2  # older than the bound: asked again


async def test_a_revocation_elsewhere_is_seen_within_the_bound(world: World) -> None:
    done = await world.login(ALICE)
    await world.check_access(done.token)
    await revoke_behind_its_back(world, done.session_id)
    world.clock.advance(BOUND)
    assert await failure(world.check_access(done.token)) is ErrorCode.INVALID_TOKEN


async def test_a_logout_in_this_process_is_seen_at_once_and_remembered_as_closed(world: World) -> None:
    check, units = counted(world)
    done = await world.login(ALICE)
    await check(done.token)
    await world.logout(done.token)
    opened = units.opened
    assert await refusal(check(done.token)) == (ErrorCode.INVALID_TOKEN, "session closed")
    world.clock.advance(timedelta(minutes=5))
    assert await failure(check(done.token)) is ErrorCode.INVALID_TOKEN
    assert units.opened == opened  # closed for good: no need to ask again


async def test_disabling_a_user_in_this_process_is_seen_at_once(world: World) -> None:
    done = await world.login(ALICE)
    await world.check_access(done.token)
    await world.disable("alice@contoso.com")
    assert await failure(world.check_access(done.token)) is ErrorCode.INVALID_TOKEN


async def test_a_disabled_user_whose_session_was_never_revoked_is_refused(world: World) -> None:
    done = await world.login(ALICE)
    async with world.db.unit_of_work() as uow:
        await uow.users.disable(done.user_id)
        await uow.commit()
    check, units = counted(world)
    assert await refusal(check(done.token)) == (ErrorCode.INVALID_TOKEN, "user disabled")
    assert world.recent.closed(done.session_id, world.clock.now())
    world.clock.advance(timedelta(minutes=5))
    assert await refusal(check(done.token)) == (ErrorCode.INVALID_TOKEN, "session closed")
    assert units.opened == 1  # remembered as closed until the session would have expired


async def test_a_revoked_entry_in_the_shared_cache_is_believed(world: World) -> None:
    check, units = counted(world)
    done = await world.login(ALICE)
    revoked = CachedSession(done.session_id, done.user_id, done.expires_at, revoked=True)
    await world.cache.put(revoked, timedelta(hours=1))
    assert await refusal(check(done.token)) == (ErrorCode.INVALID_TOKEN, "session revoked")
    assert units.opened == 0
    await world.cache.delete(done.session_id)  # this process remembers: no need to ask again
    assert await refusal(check(done.token)) == (ErrorCode.INVALID_TOKEN, "session closed")
    assert units.opened == 0


async def test_an_open_entry_in_the_shared_cache_never_vouches(world: World) -> None:
    # what a Redis restored from a snapshot taken before the logout would hold
    done = await world.login(ALICE)
    await revoke_behind_its_back(world, done.session_id)
    stale = CachedSession(done.session_id, done.user_id, done.expires_at, revoked=False)
    await world.cache.put(stale, timedelta(hours=1))
    assert await refusal(world.check_access(done.token)) == (ErrorCode.INVALID_TOKEN, "session closed")
    cached = await world.cache.get(done.session_id)
    assert cached is not None and cached.revoked  # and the shared cache is put right


async def test_an_idle_timeout_is_seen_even_while_a_principal_is_recent() -> None:
    from core.policy import SignInPolicy

    world = World(policy=SignInPolicy(session_idle=timedelta(minutes=30)))
    await world.standard_setup()
    done = await world.login(ALICE)
    world.clock.advance(timedelta(minutes=30) - BOUND / 2)
    await world.check_access(done.token)
    world.clock.advance(BOUND / 2)  # the recent principal is young, the session is over
    assert await refusal(world.check_access(done.token)) == (ErrorCode.INVALID_TOKEN, "session closed")


async def test_an_expired_token_is_refused_the_moment_it_expires(world: World) -> None:
    done = await world.login(ALICE)
    now = world.clock.now()
    soon = now + timedelta(seconds=5)
    token = world.tokens.issue(SessionClaims(done.user_id, done.session_id, "j", now, soon))
    await world.check_access(token)
    world.clock.advance(timedelta(seconds=5))
    assert await failure(world.check_access(token)) is ErrorCode.INVALID_TOKEN


async def test_a_token_of_another_user_or_an_unknown_session_is_refused(world: World) -> None:
    done = await world.login(ALICE)
    await world.check_access(done.token)  # a recent principal of alice's session
    now = world.clock.now()
    other = world.tokens.issue(SessionClaims("mallory", done.session_id, "j", now, done.expires_at))
    unknown = world.tokens.issue(SessionClaims(done.user_id, "no-such", "j", now, done.expires_at))
    assert await refusal(world.check_access(other)) == (ErrorCode.INVALID_TOKEN, "unknown session")
    assert await refusal(world.check_access(unknown)) == (ErrorCode.INVALID_TOKEN, "unknown session")


async def test_requirements_follow_the_roles_order(world: World) -> None:
    await world.admin.invite("alice@contoso.com", 1, "editor", accepted=True)
    done = await world.login(ALICE)
    granted = await world.check_access(done.token, 1, "viewer")
    assert [(g.workspace_id, g.role) for g in granted.principal.grants] == [(1, "editor")]
    for role in ("editor", None):
        passed = await world.check_access(done.token, 1, role)
        assert passed.principal.session.id == done.session_id and passed.claims.subject == done.user_id
    assert await refusal(world.check_access(done.token, 1, "owner")) == (
        ErrorCode.ACCESS_DENIED, "workspace role required"
    )
    assert await failure(world.check_access(done.token, 2)) is ErrorCode.ACCESS_DENIED
    assert await failure(world.check_access(done.token, 1, "nobody")) is ErrorCode.ACCESS_DENIED
    assert await refusal(world.check_access(done.token, None, "viewer")) == (
        ErrorCode.INVALID_REQUEST, "a role needs a workspace"
    )


async def test_a_membership_change_is_seen_within_the_bound(world: World) -> None:
    done = await world.login(ALICE)
    assert await failure(world.check_access(done.token, 2, "viewer")) is ErrorCode.ACCESS_DENIED
    await world.admin.invite("alice@contoso.com", 2, "viewer", accepted=True)
    await world.login(ALICE)  # the invite is applied at her next sign-in
    world.clock.advance(BOUND)
    await world.check_access(done.token, 2, "viewer")


async def test_a_clock_that_went_back_vouches_for_nothing(world: World) -> None:
    check, units = counted(world)
    done = await world.login(ALICE)
    await check(done.token)
    world.recent.put(replace(world.recent.get(done.session_id, world.clock.now()),  # type: ignore[type-var]
                             confirmed_at=world.clock.now() + timedelta(seconds=1)))
    await check(done.token)
    assert units.opened == 2


class _LenientVerifier:
    """A verifier with clock-skew leeway, as the JWT adapter has: it still passes a token
    whose `exp` has just gone by."""

    def __init__(self, claims: SessionClaims) -> None:
        self.claims = claims

    def verify(self, token: str) -> SessionClaims:
        return self.claims


async def test_exp_is_checked_strictly_whatever_the_verifiers_leeway(world: World) -> None:
    done = await world.login(ALICE)
    now = world.clock.now()
    claims = SessionClaims(done.user_id, done.session_id, "j", now - timedelta(hours=1), now)
    check = CheckAccess(
        _LenientVerifier(claims), world.cache, world.recent, world.db.unit_of_work, world.clock
    )
    assert await refusal(check("any")) == (ErrorCode.INVALID_TOKEN, "token expired")


class _DownCache:
    async def put(self, entry: CachedSession, ttl: timedelta) -> None:
        raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "cache down")

    async def get(self, session_id: str) -> CachedSession | None:
        raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "cache down")

    async def delete(self, session_id: str) -> None:
        raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "cache down")


async def test_a_shared_cache_that_is_down_leaves_the_database_to_decide(world: World) -> None:
    done = await world.login(ALICE)
    check = CheckAccess(world.tokens, _DownCache(), LocalPrincipals(), world.db.unit_of_work, world.clock)
    assert (await check(done.token)).principal.session.id == done.session_id
    await revoke_behind_its_back(world, done.session_id)
    world.clock.advance(BOUND)
    assert await failure(check(done.token)) is ErrorCode.INVALID_TOKEN


# The revocation feed ----------------------------------------------------------------------
async def _listening(world: World) -> tuple[list[Revocation], asyncio.Task[None]]:
    heard: list[Revocation] = []
    task = asyncio.create_task(world.feed.listen(heard.append))
    await asyncio.sleep(0)
    return heard, task


async def test_logout_and_disable_announce_what_they_revoked(world: World) -> None:
    heard, task = await _listening(world)
    try:
        first = await world.login(ALICE)
        second = await world.login(ALICE)
        await world.logout(first.token)
        await world.disable("alice@contoso.com")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert heard == [Revocation((first.session_id,)), Revocation((second.session_id,), first.user_id)]


async def test_a_heard_revocation_makes_another_process_ask_the_database_at_once(world: World) -> None:
    done = await world.login(ALICE)
    other_process = LocalPrincipals()
    check = CheckAccess(world.tokens, world.cache, other_process, world.db.unit_of_work, world.clock)
    await check(done.token)
    await revoke_behind_its_back(world, done.session_id)
    forget_revoked(other_process, Revocation((done.session_id,)))
    assert await failure(check(done.token)) is ErrorCode.INVALID_TOKEN  # no wait for the bound
    second = await world.login(ALICE)
    await check(second.token)
    async with world.db.unit_of_work() as uow:
        await uow.users.disable(second.user_id)
        await uow.commit()
    forget_revoked(other_process, Revocation((), second.user_id))
    assert await failure(check(second.token)) is ErrorCode.INVALID_TOKEN


class _DownFeed:
    async def publish(self, revocation: Revocation) -> None:
        raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "feed down")

    async def listen(self, on_revocation) -> None:  # type: ignore[no-untyped-def]
        raise AssertionError("not used")


async def test_a_feed_that_is_down_never_stops_a_logout(world: World) -> None:
    from core.usecases.session_changes import Logout

    done = await world.login(ALICE)
    logout = Logout(world.authenticate, world.db.unit_of_work, world.cache, world.microsoft,
                    world.clock, world.recent, _DownFeed())
    await logout(done.token)
    assert await failure(world.check_access(done.token)) is ErrorCode.INVALID_TOKEN


# Concurrent checks of one session: one confirmation (single flight) ------------------------
class GatedUnits(CountingUnits):
    """Counted units of work that wait at the gate before reading: the confirmations they
    serve stay in flight until the test opens it."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.gate = asyncio.Event()

    def __call__(self, *, read_only: bool = False):  # type: ignore[no-untyped-def]
        unit = super().__call__(read_only=read_only)
        gate = self.gate

        class _Gated:
            async def __aenter__(self):  # type: ignore[no-untyped-def]
                await gate.wait()
                return await unit.__aenter__()

            async def __aexit__(self, *exc: object) -> None:
                await unit.__aexit__(*exc)

        return _Gated()


async def in_flight(check: CheckAccess, *tokens: str) -> list[asyncio.Task]:  # type: ignore[type-arg]
    tasks = [asyncio.ensure_future(check(token)) for token in tokens]
    for _ in range(3):
        await asyncio.sleep(0)
    return tasks


async def test_concurrent_checks_of_one_session_share_one_confirmation(world: World) -> None:
    done = await world.login(ALICE)
    units = GatedUnits(world)
    check = CheckAccess(world.tokens, world.cache, world.recent, units, world.clock)
    tasks = await in_flight(check, done.token, done.token, done.token)
    units.gate.set()
    first, second, third = await asyncio.gather(*tasks)
    assert units.opened == 1
    assert first.principal is second.principal is third.principal
    assert first.principal.session.id == done.session_id


async def test_concurrent_checks_of_two_sessions_are_confirmed_each_for_itself(world: World) -> None:
    alice = await world.login(ALICE)
    bob = await world.login(aad("bob@contoso.com", oid="b0b"))
    units = GatedUnits(world)
    check = CheckAccess(world.tokens, world.cache, world.recent, units, world.clock)
    tasks = await in_flight(check, alice.token, bob.token)
    units.gate.set()
    for_alice, for_bob = await asyncio.gather(*tasks)
    assert units.opened == 2
    assert (for_alice.principal.user.id, for_alice.principal.session.id) == (alice.user_id, alice.session_id)
    assert (for_bob.principal.user.id, for_bob.principal.session.id) == (bob.user_id, bob.session_id)


@pytest.mark.parametrize(("later", "joins"), [(BOUND - timedelta(microseconds=1), True), (BOUND, False)])
async def test_a_check_joins_a_confirmation_only_if_it_started_within_the_bound(
    world: World, later: timedelta, joins: bool
) -> None:
    done = await world.login(ALICE)
    units = GatedUnits(world)
    check = CheckAccess(world.tokens, world.cache, world.recent, units, world.clock)
    [early] = await in_flight(check, done.token)
    world.clock.advance(later)
    [late] = await in_flight(check, done.token)
    units.gate.set()
    first, second = await asyncio.gather(early, late)
    assert units.opened == (1 if joins else 2)
    assert (first.principal is second.principal) is joins
    assert second.principal.confirmed_at == world.clock.now() - (later if joins else timedelta(0))


async def test_a_session_closed_here_while_its_confirmation_was_awaited_is_refused(world: World) -> None:
    done = await world.login(ALICE)
    units = GatedUnits(world)
    check = CheckAccess(world.tokens, world.cache, world.recent, units, world.clock)
    [waiting] = await in_flight(check, done.token)
    world.recent.put_closed(done.session_id, done.expires_at)  # what a logout here does meanwhile
    units.gate.set()
    assert await refusal(waiting) == (ErrorCode.INVALID_TOKEN, "session closed")


async def test_confirmations_leave_nothing_for_the_event_loop_to_report(world: World) -> None:
    loop = asyncio.get_running_loop()
    reports: list[dict] = []  # type: ignore[type-arg]
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reports.append(context))
    try:
        done = await world.login(ALICE)
        assert (await world.check_access(done.token)).principal.session.id == done.session_id
        await revoke_behind_its_back(world, done.session_id)
        world.clock.advance(BOUND)
        assert await failure(world.check_access(done.token)) is ErrorCode.INVALID_TOKEN
        for _ in range(3):
            await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert reports == []


# What this process remembers, and what it asks --------------------------------------------
class _CountingDownCache(_DownCache):
    def __init__(self) -> None:
        self.calls = 0

    async def put(self, entry: CachedSession, ttl: timedelta) -> None:
        self.calls += 1
        await super().put(entry, ttl)

    async def get(self, session_id: str) -> CachedSession | None:
        self.calls += 1
        return await super().get(session_id)


async def test_a_session_closed_in_this_process_is_refused_without_asking_cache_or_database(
    world: World,
) -> None:
    done = await world.login(ALICE)
    await world.logout(done.token)
    cache, units = _CountingDownCache(), CountingUnits(world)
    check = CheckAccess(world.tokens, cache, world.recent, units, world.clock)
    assert await refusal(check(done.token)) == (ErrorCode.INVALID_TOKEN, "session closed")
    assert (cache.calls, units.opened) == (0, 0)


async def test_a_revoked_session_checked_while_the_cache_is_down_asks_the_cache_once(world: World) -> None:
    done = await world.login(ALICE)
    await revoke_behind_its_back(world, done.session_id)
    cache = _CountingDownCache()
    check = CheckAccess(world.tokens, cache, LocalPrincipals(), world.db.unit_of_work, world.clock)
    assert await refusal(check(done.token)) == (ErrorCode.INVALID_TOKEN, "session closed")
    assert cache.calls == 1  # a hung cache costs one wait, not two


async def test_a_membership_whose_role_is_no_longer_defined_meets_no_role_requirement() -> None:
    world = World()
    await world.admin.ensure_roles([("guest", 1), ("viewer", 10), ("editor", 20), ("owner", 30)])
    await world.admin.add_workspace("Contoso", "https://app.contoso.com")
    done = await world.login(ALICE)
    async with world.db.unit_of_work() as uow:
        await uow.memberships.add(Membership(done.user_id, 1, "legacy", world.clock.now()))
        await uow.commit()
    passed = await world.check_access(done.token, 1)  # a member, whatever the role
    assert [(g.workspace_id, g.role) for g in passed.principal.grants] == [(1, "legacy")]
    for role in ("guest", "viewer"):
        assert await failure(world.check_access(done.token, 1, role)) is ErrorCode.ACCESS_DENIED


async def test_a_session_found_closed_in_the_database_is_remembered_as_closed(world: World) -> None:
    check, units = counted(world)
    done = await world.login(ALICE)
    await revoke_behind_its_back(world, done.session_id)
    assert await refusal(check(done.token)) == (ErrorCode.INVALID_TOKEN, "session closed")
    opened = units.opened
    await world.cache.delete(done.session_id)  # neither the cache nor the database is asked again
    world.clock.advance(timedelta(minutes=5))
    assert await refusal(check(done.token)) == (ErrorCode.INVALID_TOKEN, "session closed")
    assert units.opened == opened


async def test_a_check_that_joins_a_confirmation_is_refused_if_the_session_timed_out_meanwhile() -> None:
    from core.policy import SignInPolicy

    world = World(policy=SignInPolicy(session_idle=timedelta(minutes=30)))
    await world.standard_setup()
    done = await world.login(ALICE)
    units = GatedUnits(world)
    check = CheckAccess(world.tokens, world.cache, world.recent, units, world.clock)
    world.clock.advance(timedelta(minutes=30) - BOUND / 2)
    [before] = await in_flight(check, done.token)  # just before the idle timeout
    world.clock.advance(BOUND / 2)
    [after] = await in_flight(check, done.token)  # joins it, at the timeout itself
    units.gate.set()
    assert (await before).principal.session.id == done.session_id
    assert await refusal(after) == (ErrorCode.INVALID_TOKEN, "session closed")
    assert units.opened == 1
