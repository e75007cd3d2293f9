from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.memory import MemoryDatabase
from core.access import Access, Principal
from core.errors import ErrorCode, SignInError
from core.identity import SessionClaims
from core.model import Session
from core.policy import SignInPolicy
from core.ports import CachedSession
from core.usecases.authenticate import Authenticate
from core.usecases.complete_signin import SignedIn
from core.usecases.session_changes import Logout, RefreshSession
from core.usecases.sessions import remember
from core.usecases.users import DescribeSession
from tests.core.builders import aad, local, user
from tests.core.world import World

ALICE = aad("alice@contoso.com")


async def failure(awaitable: object) -> SignInError:
    with pytest.raises(SignInError) as caught:
        await awaitable  # type: ignore[misc]
    return caught.value


async def refusal(awaitable: object) -> tuple[ErrorCode, str]:
    """The refusal's code, and the reason it gives for the log."""
    error = await failure(awaitable)
    return error.code, error.detail


async def stored(world: World, session_id: str) -> Session:
    async with world.db.unit_of_work() as uow:
        session = await uow.sessions.get(session_id)
    assert session is not None
    return session


async def revoke_in_database(world: World, session_id: str) -> None:
    async with world.db.unit_of_work() as uow:
        assert await uow.sessions.revoke(session_id, world.clock.now()) is not None
        await uow.commit()


def long_lived_token(world: World, done: SignedIn, subject: str | None = None) -> str:
    """A token that outlives its session, to hold the session's own expiry to account."""
    now = world.clock.now()
    claims = SessionClaims(subject or done.user_id, done.session_id, "jti", now, now + timedelta(days=30))
    return world.tokens.issue(claims)


class _DownCache:
    """A cache that fails every call (as a hung Redis does after its timeout), counting them."""

    def __init__(self) -> None:
        self.calls = 0

    def _down(self) -> SignInError:
        self.calls += 1
        return SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "cache down")

    async def put(self, entry: CachedSession, ttl: timedelta) -> None:
        raise self._down()

    async def get(self, session_id: str) -> CachedSession | None:
        raise self._down()

    async def delete(self, session_id: str) -> None:
        raise self._down()


# Authenticate ------------------------------------------------------------------------------
async def test_token_of_an_open_session_authenticates_and_warms_the_cache(world: World) -> None:
    done = await world.login(ALICE)
    await world.cache.delete(done.session_id)
    current = await world.authenticate(done.token)
    assert current.claims.session_id == done.session_id
    cached = await world.cache.get(done.session_id)
    assert cached is not None and not cached.revoked and cached.user_id == done.user_id


@pytest.mark.parametrize("token", ["", "garbage", "id-secret-999"])
async def test_token_not_issued_by_the_service_is_an_invalid_token(world: World, token: str) -> None:
    await world.login(ALICE)
    assert (await failure(world.authenticate(token))).code is ErrorCode.INVALID_TOKEN


async def test_session_revoked_in_the_cache_is_refused_at_once(world: World) -> None:
    done = await world.login(ALICE)
    await world.cache.put(CachedSession(done.session_id, done.user_id, done.expires_at, revoked=True),
                          timedelta(hours=1))
    assert await refusal(world.authenticate(done.token)) == (ErrorCode.INVALID_TOKEN, "session revoked")


async def test_session_revoked_in_the_database_is_refused_although_the_cache_says_open(world: World) -> None:
    done = await world.login(ALICE)
    cached = await world.cache.get(done.session_id)
    assert cached is not None and not cached.revoked
    await revoke_in_database(world, done.session_id)
    assert await refusal(world.authenticate(done.token)) == (ErrorCode.INVALID_TOKEN, "session closed")
    cached = await world.cache.get(done.session_id)
    assert cached is not None and cached.revoked


async def test_a_session_of_a_disabled_user_is_refused_even_if_never_revoked(world: World) -> None:
    # A sign-in racing DisableUser can open a session the disable never saw: the user's
    # flag, checked on every request, still closes it.
    done = await world.login(ALICE)
    async with world.db.unit_of_work() as uow:
        await uow.users.disable(done.user_id)
        await uow.commit()
    assert (await stored(world, done.session_id)).revoked_at is None
    assert await refusal(world.authenticate(done.token)) == (ErrorCode.INVALID_TOKEN, "user disabled")


async def test_session_past_its_idle_timeout_is_refused() -> None:
    world = World(policy=SignInPolicy(session_idle=timedelta(minutes=30)))
    await world.standard_setup()
    done = await world.login(ALICE)
    world.clock.advance(timedelta(minutes=29))
    assert (await world.authenticate(done.token)).session.id == done.session_id
    world.clock.advance(timedelta(minutes=1))
    assert await refusal(world.authenticate(done.token)) == (ErrorCode.INVALID_TOKEN, "session closed")


async def test_a_session_that_timed_out_is_refused_and_never_cached_as_open() -> None:
    world = World(policy=SignInPolicy(session_idle=timedelta(minutes=30)))
    await world.standard_setup()
    done = await world.login(ALICE)
    await world.cache.delete(done.session_id)
    world.clock.advance(timedelta(minutes=30))
    assert await refusal(world.authenticate(done.token)) == (ErrorCode.INVALID_TOKEN, "session closed")
    assert await world.cache.get(done.session_id) is None


async def test_session_past_its_absolute_expiry_is_refused_even_with_a_valid_token(world: World) -> None:
    done = await world.login(ALICE)
    token = long_lived_token(world, done)
    for _ in range(6):  # keep it busy: the idle timeout slides, the absolute one does not
        world.clock.advance(timedelta(minutes=110))
        await world.refresh(token)
    world.clock.advance(timedelta(hours=12) - 6 * timedelta(minutes=110))
    assert (await failure(world.authenticate(token))).code is ErrorCode.INVALID_TOKEN


async def test_revoked_and_long_expired_session_is_refused_without_caching_it(world: World) -> None:
    done = await world.login(ALICE)
    token = long_lived_token(world, done)
    await revoke_in_database(world, done.session_id)
    await world.cache.delete(done.session_id)
    world.clock.advance(timedelta(days=1))
    assert (await failure(world.authenticate(token))).code is ErrorCode.INVALID_TOKEN
    assert await world.cache.get(done.session_id) is None


async def test_token_for_an_unknown_session_or_another_user_is_refused(world: World) -> None:
    done = await world.login(ALICE)
    now = world.clock.now()
    unknown = world.tokens.issue(SessionClaims(done.user_id, "no-such-session", "j", now, done.expires_at))
    assert await refusal(world.authenticate(unknown)) == (ErrorCode.INVALID_TOKEN, "unknown session")
    other = long_lived_token(world, done, subject="someone-else")
    assert await refusal(world.authenticate(other)) == (ErrorCode.INVALID_TOKEN, "unknown session")


async def test_cache_down_leaves_the_database_to_decide(world: World) -> None:
    done = await world.login(ALICE)
    authenticate = Authenticate(world.tokens, _DownCache(), world.db.unit_of_work, world.clock)
    current = await authenticate(done.token)
    assert current.session.id == done.session_id
    await revoke_in_database(world, done.session_id)
    assert (await failure(authenticate(done.token))).code is ErrorCode.INVALID_TOKEN


async def test_sign_in_and_logout_succeed_with_the_cache_down() -> None:
    world = World(cache=_DownCache())
    await world.standard_setup()
    done = await world.login(ALICE)
    assert (await world.authenticate(done.token)).session.id == done.session_id
    await world.logout(done.token)
    assert (await failure(world.authenticate(done.token))).code is ErrorCode.INVALID_TOKEN


async def test_a_failing_cache_is_asked_once_per_authenticated_request_not_twice() -> None:
    # a hung Redis costs its whole timeout per call: /me, refresh and logout wait for one
    cache = _DownCache()
    world = World(cache=cache)
    await world.standard_setup()
    done = await world.login(ALICE)
    for call in (world.authenticate, world.refresh, world.logout):
        cache.calls = 0
        await call(done.token)
        assert cache.calls == 1, call


async def test_disabling_a_user_with_many_sessions_asks_a_failing_cache_once() -> None:
    cache = _DownCache()
    world = World(cache=cache)
    await world.standard_setup()
    for _ in range(3):
        await world.login(ALICE)
    cache.calls = 0
    disabled = await world.disable("alice@contoso.com")
    assert disabled.sessions_revoked == 3
    assert cache.calls == 1


# RefreshSession ----------------------------------------------------------------------------
async def test_refresh_slides_the_idle_timeout_and_gives_a_new_token(world: World) -> None:
    done = await world.login(ALICE)
    token = long_lived_token(world, done)
    world.clock.advance(timedelta(minutes=50))
    refreshed = await world.refresh(done.token)
    assert refreshed.token != done.token
    assert refreshed.expires_at == world.clock.now() + world.policy.token_lifetime
    session = await stored(world, done.session_id)
    assert session.idle_expires_at == world.clock.now() + world.policy.session_idle
    assert (await world.authenticate(refreshed.token)).session.id == done.session_id
    world.clock.advance(timedelta(minutes=100))  # past the first idle deadline, not the new one
    assert (await world.authenticate(token)).session.idle_expires_at > world.clock.now()


async def test_session_left_idle_is_closed_despite_earlier_refreshes(world: World) -> None:
    done = await world.login(ALICE)
    token = long_lived_token(world, done)
    world.clock.advance(timedelta(minutes=50))
    await world.refresh(token)
    world.clock.advance(world.policy.session_idle)
    assert (await failure(world.refresh(token))).code is ErrorCode.INVALID_TOKEN


async def test_refresh_never_extends_past_the_absolute_expiry(world: World) -> None:
    done = await world.login(ALICE)
    token = long_lived_token(world, done)
    absolute = (await stored(world, done.session_id)).expires_at
    while world.clock.now() + world.policy.session_idle < absolute:
        world.clock.advance(timedelta(minutes=100))
        await world.refresh(token)
    refreshed = await world.refresh(token)
    session = await stored(world, done.session_id)
    assert session.idle_expires_at == absolute == session.expires_at
    assert refreshed.expires_at <= absolute
    world.clock.set(absolute)
    assert (await failure(world.refresh(token))).code is ErrorCode.INVALID_TOKEN


async def test_refresh_of_a_closed_session_is_refused(world: World) -> None:
    done = await world.login(ALICE)
    await world.logout(done.token)
    assert await refusal(world.refresh(done.token)) == (ErrorCode.INVALID_TOKEN, "session revoked")


# Logout ------------------------------------------------------------------------------------
async def test_logout_makes_the_token_fail_at_once_and_deletes_microsofts_tokens(world: World) -> None:
    done = await world.login(ALICE)
    assert (await stored(world, done.session_id)).microsoft_tokens is not None
    out = await world.logout(done.token, "https://app.contoso.com/bye")
    assert out.session_id == done.session_id
    assert out.end_session_url is not None and "post_logout_redirect_uri" in out.end_session_url
    session = await stored(world, done.session_id)
    assert session.revoked_at == world.clock.now() and session.microsoft_tokens is None
    cached = await world.cache.get(done.session_id)
    assert cached is not None and cached.revoked
    assert (await failure(world.authenticate(done.token))).code is ErrorCode.INVALID_TOKEN
    assert (await failure(world.logout(done.token))).code is ErrorCode.INVALID_TOKEN


async def test_logout_closes_only_its_own_session(world: World) -> None:
    first = await world.login(ALICE)
    second = await world.login(ALICE)
    closed = await world.logout(first.token)
    assert (closed.session_id, closed.user_id) == (first.session_id, first.user_id)
    still = await world.authenticate(second.token)
    assert still.session.id == second.session_id and still.session.revoked_at is None
    assert still.claims.session_id == second.session_id
    assert (await failure(world.authenticate(first.token))).code is ErrorCode.INVALID_TOKEN


# DescribeSession ---------------------------------------------------------------------------
async def test_describe_names_the_user_the_account_and_the_roles(world: World) -> None:
    await world.admin.invite("alice@contoso.com", 1, "owner", accepted=True)
    await world.admin.invite("alice@contoso.com", 2, "viewer", accepted=True)
    done = await world.login(ALICE)
    profile = await world.describe(await world.check_access(done.token))
    assert profile.user.id == done.user_id and profile.user.email == "alice@contoso.com"
    assert profile.account is not None and profile.account.object_id == ALICE.object_id
    assert [(r.workspace_id, r.workspace_name, r.role) for r in profile.memberships] == [
        (1, "Contoso", "owner"), (2, "Fabrikam", "viewer"),
    ]
    assert profile.session_id == done.session_id


async def test_describe_leaves_out_deleted_workspaces(world: World) -> None:
    await world.admin.invite("alice@contoso.com", 1, "owner", accepted=True)
    done = await world.login(ALICE)
    async with world.db.unit_of_work() as uow:
        await uow.workspaces.remove(1)
        await uow.commit()
    profile = await world.describe(await world.check_access(done.token))
    assert profile.memberships == ()


async def test_describe_of_a_workspace_removed_after_the_check_leaves_it_out(world: World) -> None:
    await world.admin.invite("alice@contoso.com", 1, "owner", accepted=True)
    done = await world.login(ALICE)
    current = await world.check_access(done.token)
    async with world.db.unit_of_work() as uow:
        await uow.workspaces.remove(1)
        await uow.commit()
    assert (await world.describe(current)).memberships == ()


class _CountedUnits:
    def __init__(self, world: World) -> None:
        self.world, self.opened = world, 0

    def __call__(self, *, read_only: bool = False):  # type: ignore[no-untyped-def]
        self.opened += 1
        return self.world.db.unit_of_work(read_only=read_only)


async def test_a_description_is_kept_for_as_long_as_the_check_answers_with_the_same_confirmation(
    world: World,
) -> None:
    units = _CountedUnits(world)
    describe = DescribeSession(units)
    done = await world.login(ALICE)
    current = await world.check_access(done.token)
    first = await describe(current)
    again = await describe(await world.check_access(done.token))  # the same confirmation
    assert again is first and units.opened == 1
    world.clock.advance(world.recent.max_age)  # the next check confirms anew
    renewed = await world.check_access(done.token)
    assert renewed.principal is not current.principal
    assert (await describe(renewed)) is not first and units.opened == 2
    assert (await describe(renewed)).session_id == done.session_id and units.opened == 2


async def test_only_the_most_recently_used_descriptions_are_kept() -> None:
    world = World()
    await world.standard_setup()
    units = _CountedUnits(world)
    describe = DescribeSession(units, max_entries=2)
    a, b, c = [await world.check_access((await world.login(ALICE)).token) for _ in range(3)]
    await describe(a)
    await describe(b)
    await describe(a)  # used again: b is now the least recently used
    await describe(c)  # one too many: b is dropped
    assert units.opened == 3
    await describe(a)
    await describe(c)
    assert units.opened == 3
    assert (await describe(b)).session_id == b.principal.session.id and units.opened == 4


def _access_to(session_id: str, world: World) -> Access:
    now = world.clock.now()
    hour = timedelta(hours=1)
    session = Session(session_id, "u-1", "acc-1", "aad", now, now + hour, now + 2 * hour)
    return Access(SessionClaims("u-1", session_id, "j", now, now + timedelta(hours=1)),
                  Principal(session, user(), (), (), now))


async def test_ten_thousand_descriptions_are_kept_by_default(world: World) -> None:
    units = _CountedUnits(world)
    describe = DescribeSession(units)
    accesses = [_access_to(f"s-{n}", world) for n in range(10_001)]
    for access in accesses[:10_000]:
        await describe(access)
    await describe(accesses[0])  # kept: the oldest of ten thousand
    assert units.opened == 10_000
    await describe(accesses[10_000])  # one more: the least recently used (s-1) goes
    await describe(accesses[0])
    assert units.opened == 10_001
    await describe(accesses[1])
    assert units.opened == 10_002


class _GatedUnits:
    """Units of work that wait for `open` before reading (to hold a read in flight), or
    fail with `failure` (an exception instance or type) when it is set."""

    def __init__(self, world: World) -> None:
        self.world, self.opened, self.open = world, 0, asyncio.Event()
        self.failure: BaseException | type[BaseException] | None = None

    def __call__(self, *, read_only: bool = False):  # type: ignore[no-untyped-def]
        self.opened += 1
        units = self

        class _Gated:
            async def __aenter__(self):  # type: ignore[no-untyped-def]
                await units.open.wait()
                if units.failure is not None:
                    raise units.failure
                self.inner = units.world.db.unit_of_work(read_only=read_only)
                return await self.inner.__aenter__()

            async def __aexit__(self, *exc):  # type: ignore[no-untyped-def]
                return await self.inner.__aexit__(*exc)

        return _Gated()


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_concurrent_descriptions_of_one_confirmation_share_one_read(world: World) -> None:
    units = _GatedUnits(world)
    describe = DescribeSession(units)
    current = await world.check_access((await world.login(ALICE)).token)
    waiting = [asyncio.ensure_future(describe(current)) for _ in range(5)]
    await _settle()
    assert units.opened == 1  # the others joined the read in flight
    units.open.set()
    profiles = await asyncio.gather(*waiting)
    assert all(p is profiles[0] for p in profiles) and units.opened == 1


async def test_a_renewed_confirmation_never_joins_the_read_of_the_one_before(world: World) -> None:
    units = _GatedUnits(world)
    describe = DescribeSession(units)
    done = await world.login(ALICE)
    before = await world.check_access(done.token)
    first = asyncio.ensure_future(describe(before))
    await _settle()
    world.clock.advance(world.recent.max_age)  # the next check confirms anew
    renewed = await world.check_access(done.token)
    assert renewed.principal is not before.principal
    second = asyncio.ensure_future(describe(renewed))
    await _settle()
    assert units.opened == 2  # its own read, not the one in flight for the old principal
    units.open.set()
    old, new = await asyncio.gather(first, second)
    assert new is not old and new.session_id == old.session_id == done.session_id
    assert (await describe(renewed)) is new and units.opened == 2  # the renewed one is kept


async def test_a_read_that_ended_is_not_joined_and_leaves_nothing_for_the_loop_to_report(
    world: World,
) -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, object]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        units = _GatedUnits(world)
        units.open.set()
        describe = DescribeSession(units)
        current = await world.check_access((await world.login(ALICE)).token)
        units.failure = RuntimeError("the database went away")
        with pytest.raises(RuntimeError, match="^the database went away$"):
            await describe(current)
        units.failure = asyncio.CancelledError
        with pytest.raises(asyncio.CancelledError):
            await describe(current)  # a new read: the failed one is not shared any more
        units.failure = None
        profile = await describe(current)
        assert profile.session_id == current.principal.session.id and units.opened == 3
        await _settle()
    finally:
        loop.set_exception_handler(previous)
    assert reported == []


def test_a_description_memory_holds_at_least_one() -> None:
    assert DescribeSession(MemoryDatabase().unit_of_work, max_entries=1) is not None
    with pytest.raises(ValueError, match="^max_entries must be at least 1$"):
        DescribeSession(MemoryDatabase().unit_of_work, max_entries=0)


# DisableUser -------------------------------------------------------------------------------
async def test_disabling_a_user_closes_every_open_session(world: World) -> None:
    first = await world.login(ALICE)
    second = await world.login(ALICE)
    third = await world.login(ALICE)
    await world.logout(third.token)
    disabled = await world.disable("  ALICE@contoso.com ")
    assert disabled.user_id == first.user_id and disabled.sessions_revoked == 2
    for done in (first, second):
        assert (await failure(world.authenticate(done.token))).code is ErrorCode.INVALID_TOKEN
        session = await stored(world, done.session_id)
        assert session.revoked_at is not None and session.microsoft_tokens is None
    async with world.db.unit_of_work() as uow:
        assert await uow.sessions.open_for_user(first.user_id, world.clock.now()) == []
        user = await uow.users.get(first.user_id)
    assert user is not None and user.disabled


async def test_disabling_a_user_tells_the_shared_cache_about_every_closed_session(world: World) -> None:
    sessions = [await world.login(ALICE) for _ in range(3)]
    for done in sessions:
        await world.cache.delete(done.session_id)
    assert (await world.disable("alice@contoso.com")).sessions_revoked == 3
    for done in sessions:
        cached = await world.cache.get(done.session_id)
        assert cached is not None and cached.revoked, done.session_id


async def test_user_without_verified_email_is_disabled_by_id(world: World) -> None:
    done = await world.login(local("mallory@contoso.com", verified=False))
    assert (await failure(world.disable("mallory@contoso.com"))).code is ErrorCode.INVALID_REQUEST
    assert (await world.disable(done.user_id)).sessions_revoked == 1


@pytest.mark.parametrize("who", ["nobody@contoso.com", "no-such-id", "not an email@"])
async def test_disabling_an_unknown_user_is_an_invalid_request(world: World, who: str) -> None:
    await world.login(ALICE)
    assert await refusal(world.disable(who)) == (ErrorCode.INVALID_REQUEST, "no such user")


async def test_enabling_a_user_lets_them_sign_in_again_without_reopening_old_sessions(
    world: World,
) -> None:
    before = await world.login(ALICE)
    await world.disable("alice@contoso.com")
    assert (await failure(world.login(ALICE))).code is ErrorCode.ACCOUNT_DISABLED
    enabled = await world.enable(" Alice@Contoso.com")
    assert enabled.user_id == before.user_id and enabled.was_disabled
    after = await world.login(ALICE)
    assert after.user_id == before.user_id
    await world.authenticate(after.token)
    assert (await failure(world.authenticate(before.token))).code is ErrorCode.INVALID_TOKEN
    assert not (await world.enable(before.user_id)).was_disabled  # twice: nothing changes
    assert await refusal(world.enable("nobody@contoso.com")) == (ErrorCode.INVALID_REQUEST, "no such user")


# Races between the check of a session and its change ------------------------------------
class _RevokingBeforeNextUnit:
    """Units of work of `db`; the next one opened is preceded by a logout elsewhere."""

    def __init__(self, world: World, session_id: str) -> None:
        self.world, self.session_id, self.armed = world, session_id, False

    def __call__(self) -> object:
        outer = self

        class _Unit:
            def __init__(self) -> None:
                self.inner = outer.world.db.unit_of_work()

            def __getattr__(self, name: str) -> object:
                return getattr(self.inner, name)

            async def __aenter__(self) -> object:
                if outer.armed:
                    outer.armed = False
                    await revoke_in_database(outer.world, outer.session_id)
                await self.inner.__aenter__()
                return self

            async def __aexit__(self, *exc: object) -> None:
                await self.inner.__aexit__(*exc)  # type: ignore[arg-type]

        return _Unit()


async def test_session_closed_between_its_check_and_its_refresh_is_not_refreshed(world: World) -> None:
    done = await world.login(ALICE)
    racing = _RevokingBeforeNextUnit(world, done.session_id)
    refresh = RefreshSession(
        world.authenticate, world.revalidate, racing, world.tokens, world.clock, world.ids,  # type: ignore[arg-type]
        world.policy,
    )
    racing.armed = True
    assert await refusal(refresh(done.token)) == (ErrorCode.INVALID_TOKEN, "session closed")
    assert (await stored(world, done.session_id)).idle_expires_at == done.expires_at + timedelta(hours=1)


async def test_session_purged_between_its_check_and_its_logout_is_an_invalid_token(world: World) -> None:
    done = await world.login(ALICE)
    elsewhere = MemoryDatabase()
    logout = Logout(world.authenticate, elsewhere.unit_of_work, world.cache, world.microsoft, world.clock)
    assert await refusal(logout(done.token)) == (ErrorCode.INVALID_TOKEN, "unknown session")


# What the cache and the tokens are told ---------------------------------------------------
async def test_the_cache_learns_a_session_until_its_absolute_expiry(world: World) -> None:
    done = await world.login(ALICE)
    cached = await world.cache.get(done.session_id)
    session = await stored(world, done.session_id)
    assert cached == CachedSession(done.session_id, done.user_id, session.expires_at, revoked=False)


async def test_a_session_with_a_second_left_is_cached_and_one_with_none_left_is_not(world: World) -> None:
    done = await world.login(ALICE)
    session = await stored(world, done.session_id)
    await world.cache.delete(done.session_id)
    await remember(world.cache, session, session.expires_at - timedelta(seconds=1))
    assert await world.cache.get(done.session_id) is not None
    await world.cache.delete(done.session_id)
    await remember(world.cache, session, session.expires_at)
    assert await world.cache.get(done.session_id) is None


async def test_every_token_has_its_own_id(world: World) -> None:
    done = await world.login(ALICE)
    refreshed = await world.refresh(done.token)
    first, second = world.tokens.verify(done.token), world.tokens.verify(refreshed.token)
    assert first.session_id == second.session_id and first.token_id and second.token_id
    assert first.token_id != second.token_id


async def test_disabling_a_user_tells_the_cache_their_sessions_are_revoked(world: World) -> None:
    done = await world.login(ALICE)
    await world.disable(done.user_id)
    cached = await world.cache.get(done.session_id)
    assert cached is not None and cached.revoked


async def test_describe_a_session_whose_account_is_gone_names_no_account(world: World) -> None:
    done = await world.login(ALICE)
    current = await world.check_access(done.token)
    session = replace(current.principal.session, account_id="gone")
    orphan = Access(current.claims, replace(current.principal, session=session))
    profile = await world.describe(orphan)
    assert profile.account is None and profile.user.id == done.user_id
    assert profile.session_expires_at == session.expires_at
