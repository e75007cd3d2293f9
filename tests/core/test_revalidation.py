"""Following Microsoft after the sign-in, on the in-memory adapters: re-validation at
refresh, the background sweep, and front-channel logout."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from core.errors import ErrorCode, SignInError
from core.model import Session
from core.policy import SignInPolicy
from core.ports import Revocation
from core.rules.revalidation import Verdict
from core.usecases.complete_signin import SignedIn, microsoft_session
from core.usecases.record_signin import MicrosoftSession
from core.usecases.revalidation import Revalidation, SessionClosedByMicrosoft
from tests.core.builders import aad
from tests.core.world import World

ALICE = aad("alice@contoso.com", oid="oid-alice")
BOB = aad("bob@contoso.com", oid="oid-bob")
INTERVAL = timedelta(minutes=15)
TICK = timedelta(microseconds=1)


async def stored(world: World, session_id: str) -> Session:
    async with world.db.unit_of_work() as uow:
        found = await uow.sessions.get(session_id)
    assert found is not None
    return found


async def failure(awaitable: object) -> SignInError:
    with pytest.raises(SignInError) as caught:
        await awaitable  # type: ignore[misc]
    return caught.value


def by_session(results: tuple[Revalidation, ...]) -> dict[str, tuple[Verdict, str]]:
    return {r.session_id: (r.verdict, r.reason) for r in results}


# -- the sign-in keeps Microsoft's session ------------------------------------------------

async def test_a_sign_in_keeps_the_id_tokens_sid_and_iss_and_counts_as_confirmed(world: World) -> None:
    done = await world.login(ALICE)
    session = await stored(world, done.session_id)
    assert session.microsoft_issuer == ALICE.issuer
    assert isinstance(session.microsoft_sid, str) and session.microsoft_sid
    assert session.confirmed_at == world.clock.now()
    assert session.confirm_lease_until is None


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"iss": "https://i/v2.0", "sid": "s"}, MicrosoftSession("https://i/v2.0", "s")),
        ({"iss": "https://i/v2.0"}, None),
        ({"sid": "s"}, None),
        ({"iss": "https://i/v2.0", "sid": ""}, None),
        ({"iss": "", "sid": "s"}, None),
        ({"iss": "https://i/v2.0", "sid": 7}, None),
        ({"iss": ["https://i/v2.0"], "sid": "s"}, None),
    ],
)
def test_microsoft_session_needs_both_claims_as_text(claims: dict[str, object], expected: object) -> None:
    assert microsoft_session(claims) == expected


# -- at refresh -----------------------------------------------------------------------------

async def test_refresh_renews_the_microsoft_tokens_and_the_confirmation(world: World) -> None:
    done = await world.login(ALICE)
    before = await stored(world, done.session_id)
    world.clock.advance(timedelta(minutes=40))
    refreshed = await world.refresh(done.token)
    after = await stored(world, done.session_id)
    assert refreshed.revalidation is not None and refreshed.revalidation.verdict is Verdict.CONFIRMED
    assert after.confirmed_at == world.clock.now()
    assert before.microsoft_tokens is not None and after.microsoft_tokens is not None
    assert after.microsoft_tokens.refresh_token != before.microsoft_tokens.refresh_token
    assert after.microsoft_tokens.access_token != before.microsoft_tokens.access_token
    assert after.microsoft_sid == before.microsoft_sid
    assert after.idle_expires_at == world.clock.now() + world.policy.session_idle


async def test_refresh_of_a_disabled_account_closes_the_session_at_once(world: World) -> None:
    done = await world.login(ALICE)
    world.microsoft.refuse_grants(World.username(ALICE), "account_disabled", "AADSTS50057")
    world.clock.advance(timedelta(seconds=1))
    error = await failure(world.refresh(done.token))
    assert isinstance(error, SessionClosedByMicrosoft) and error.code is ErrorCode.INVALID_TOKEN
    assert (error.revalidation.verdict, error.revalidation.reason) == (Verdict.CLOSED, "account_disabled")
    assert error.revalidation.microsoft_code == "AADSTS50057"
    closed = await stored(world, done.session_id)
    assert closed.revoked_at == world.clock.now() and closed.microsoft_tokens is None
    cached = await world.cache.get(done.session_id)
    assert cached is not None and cached.revoked
    assert (await failure(world.authenticate(done.token))).code is ErrorCode.INVALID_TOKEN


async def test_refresh_while_microsoft_is_unreachable_keeps_the_session_as_it_is(world: World) -> None:
    done = await world.login(ALICE)
    before = await stored(world, done.session_id)
    world.clock.advance(timedelta(minutes=30))
    world.microsoft.fail_next("renew")
    refreshed = await world.refresh(done.token)
    assert refreshed.revalidation is not None
    kept = (refreshed.revalidation.verdict, refreshed.revalidation.reason)
    assert kept == (Verdict.KEPT, "microsoft_unreachable")
    after = await stored(world, done.session_id)
    assert after.microsoft_tokens == before.microsoft_tokens and after.confirmed_at == before.confirmed_at


async def test_refresh_unconfirmed_for_max_unconfirmed_closes_the_session() -> None:
    world = World(policy=SignInPolicy(session_idle=timedelta(hours=3)))
    await world.standard_setup()
    done = await world.login(ALICE)
    world.clock.advance(world.policy.max_unconfirmed - TICK)
    world.microsoft.fail_next("renew", times=2)
    token = (await world.refresh(done.token)).token
    world.clock.advance(TICK)
    error = await failure(world.refresh(token))
    assert isinstance(error, SessionClosedByMicrosoft)
    assert error.revalidation.reason == "unconfirmed_too_long"
    assert (await stored(world, done.session_id)).revoked_at == world.clock.now()


async def test_refresh_when_the_renewal_names_another_account_closes(world: World) -> None:
    done = await world.login(ALICE)
    world.microsoft.add_user(World.username(ALICE), replace(ALICE, object_id="oid-someone-else"))
    error = await failure(world.refresh(done.token))
    assert isinstance(error, SessionClosedByMicrosoft) and error.revalidation.reason == "account_mismatch"


# -- the sweep ------------------------------------------------------------------------------

async def test_a_session_is_due_for_the_sweep_strictly_after_one_interval(world: World) -> None:
    done = await world.login(ALICE)
    world.clock.advance(INTERVAL)
    assert await world.sweep() == ()
    world.clock.advance(TICK)
    results = await world.sweep()
    assert by_session(results) == {done.session_id: (Verdict.CONFIRMED, "confirmed")}
    assert (await stored(world, done.session_id)).confirmed_at == world.clock.now()
    assert await world.sweep() == ()  # confirmed just now


async def test_the_sweep_closes_exactly_the_sessions_microsoft_refuses(world: World) -> None:
    alice = await world.login(ALICE)
    bob = await world.login(BOB)
    world.microsoft.refuse_grants(World.username(ALICE), "sessions_revoked", "AADSTS50173")
    world.clock.advance(INTERVAL + TICK)
    results = await world.sweep()
    assert by_session(results) == {
        alice.session_id: (Verdict.CLOSED, "sessions_revoked"),
        bob.session_id: (Verdict.CONFIRMED, "confirmed"),
    }
    assert (await stored(world, alice.session_id)).revoked_at == world.clock.now()
    assert (await stored(world, bob.session_id)).revoked_at is None
    assert (await failure(world.authenticate(alice.token))).code is ErrorCode.INVALID_TOKEN
    assert (await world.authenticate(bob.token)).session.id == bob.session_id


async def test_an_unreachable_microsoft_is_asked_again_one_interval_later_then_the_session_closes(
    world: World,
) -> None:
    done = await world.login(ALICE)
    world.clock.advance(INTERVAL + TICK)
    world.microsoft.fail_next("renew", times=10)
    assert by_session(await world.sweep()) == {done.session_id: (Verdict.KEPT, "microsoft_unreachable")}
    world.clock.advance(INTERVAL - TICK)
    assert await world.sweep() == ()  # leased until one interval after the attempt
    world.clock.advance(TICK)
    assert by_session(await world.sweep()) == {done.session_id: (Verdict.KEPT, "microsoft_unreachable")}
    world.clock.advance(INTERVAL)
    assert by_session(await world.sweep()) == {done.session_id: (Verdict.KEPT, "microsoft_unreachable")}
    world.clock.advance(INTERVAL)  # one hour and a tick since the sign-in
    assert by_session(await world.sweep()) == {done.session_id: (Verdict.CLOSED, "unconfirmed_too_long")}
    assert (await stored(world, done.session_id)).revoked_at == world.clock.now()


async def test_a_sweep_takes_at_most_one_batch() -> None:
    world = World(policy=SignInPolicy(revalidate_batch=2))
    await world.standard_setup()
    first = await world.login(ALICE)
    world.clock.advance(timedelta(seconds=1))
    second = await world.login(BOB)
    world.clock.advance(timedelta(seconds=1))
    third = await world.login(aad("carol@contoso.com", oid="oid-carol"))
    world.clock.advance(INTERVAL + timedelta(seconds=3))
    assert [r.session_id for r in await world.sweep()] == [first.session_id, second.session_id]
    assert [r.session_id for r in await world.sweep()] == [third.session_id]


async def test_a_session_without_a_refresh_token_is_kept_then_closed_without_asking(world: World) -> None:
    session = (await world.record(ALICE, "aad", None)).session  # a sign-in that kept no tokens
    world.microsoft.fail_next("renew", SignInError(ErrorCode.SERVER_ERROR), times=1)  # never consumed
    world.clock.advance(INTERVAL + TICK)
    assert by_session(await world.sweep()) == {session.id: (Verdict.KEPT, "no_refresh_token")}
    world.clock.advance(world.policy.max_unconfirmed)
    assert by_session(await world.sweep()) == {session.id: (Verdict.CLOSED, "unconfirmed_too_long")}
    with pytest.raises(SignInError):  # the injected failure is still queued: renew was never called
        await world.microsoft.renew("aad", "whatever")


async def test_a_session_closed_between_its_claim_and_its_confirmation_stays_closed(world: World) -> None:
    done = await world.login(ALICE)
    world.clock.advance(INTERVAL + TICK)
    claimed = await stored(world, done.session_id)
    await world.logout(done.token)
    result = await world.revalidate(claimed)
    assert (result.verdict, result.reason, result.session) == (Verdict.CLOSED, "session_closed", None)
    closed = await stored(world, done.session_id)
    assert closed.revoked_at is not None and closed.microsoft_tokens is None


# -- front-channel logout -------------------------------------------------------------------

async def test_frontchannel_logout_closes_exactly_the_sessions_of_that_microsoft_session(
    world: World,
) -> None:
    first = await world.login(ALICE)
    second = await world.login(ALICE)
    bob = await world.login(BOB)
    ended = world.microsoft.sign_out(World.username(ALICE))
    assert len(ended) == 2
    issuer, sid = ended[0]
    world.clock.advance(timedelta(seconds=5))
    done = await world.frontchannel(issuer, sid)
    assert [s.id for s in done.closed] == [first.session_id]
    assert done.closed[0].revoked_at == world.clock.now()
    assert (await failure(world.authenticate(first.token))).code is ErrorCode.INVALID_TOKEN
    assert (await world.authenticate(second.token)).session.id == second.session_id
    assert (await world.authenticate(bob.token)).session.id == bob.session_id
    assert (await world.frontchannel(issuer, sid)).closed == ()  # idempotent
    other_issuer = issuer.replace("/v2.0", "0/v2.0")
    assert (await world.frontchannel(other_issuer, ended[1][1])).closed == ()  # iss must match too
    assert (await world.authenticate(second.token)).session.id == second.session_id


@pytest.mark.parametrize(
    ("iss", "sid"),
    [(None, "sid"), ("https://i/v2.0", None), ("", "sid"), ("https://i/v2.0", ""),
     ("https://i/v2.0", "s" * 257), ("h" * 513, "sid")],
)
async def test_frontchannel_logout_without_a_usable_iss_and_sid_is_an_invalid_request(
    world: World, iss: str | None, sid: str | None
) -> None:
    assert (await failure(world.frontchannel(iss, sid))).code is ErrorCode.INVALID_REQUEST


async def test_frontchannel_logout_accepts_the_longest_iss_and_sid(world: World) -> None:
    assert (await world.frontchannel("h" * 512, "s" * 256)).closed == ()


async def test_signed_in_is_unchanged_by_the_new_session_fields(world: World) -> None:
    done = await world.login(ALICE)
    assert isinstance(done, SignedIn) and done.landing_path == "/no-workspace"


# -- a session Microsoft ends is refused at once, here and on the other processes --------

async def _heard(world: World) -> tuple[list[Revocation], asyncio.Task[None]]:
    heard: list[Revocation] = []
    task = asyncio.create_task(world.feed.listen(heard.append))
    await asyncio.sleep(0)  # the listener is registered
    return heard, task


async def test_a_frontchannel_sign_out_is_refused_by_the_token_check_at_once_and_announced(
    world: World,
) -> None:
    first = await world.login(ALICE)
    bob = await world.login(BOB)
    await world.check_access(first.token)  # this process now vouches for the session
    heard, task = await _heard(world)
    issuer, sid = world.microsoft.sign_out(World.username(ALICE))[0]
    await world.frontchannel(issuer, sid)
    task.cancel()
    assert (await failure(world.check_access(first.token))).code is ErrorCode.INVALID_TOKEN
    assert (await world.check_access(bob.token)).claims.session_id == bob.session_id
    assert heard == [Revocation((first.session_id,))]


async def test_a_session_the_sweep_closes_is_refused_by_the_token_check_at_once_and_announced(
    world: World,
) -> None:
    alice = await world.login(ALICE)
    bob = await world.login(BOB)
    world.microsoft.refuse_grants(World.username(ALICE), "account_disabled", "AADSTS50057")
    world.clock.advance(INTERVAL + TICK)
    await world.check_access(alice.token)
    await world.check_access(bob.token)
    heard, task = await _heard(world)
    await world.sweep()
    task.cancel()
    assert (await failure(world.check_access(alice.token))).code is ErrorCode.INVALID_TOKEN
    assert (await world.check_access(bob.token)).claims.session_id == bob.session_id
    assert heard == [Revocation((alice.session_id,))]


async def test_a_frontchannel_call_that_closes_nothing_announces_nothing(world: World) -> None:
    await world.login(ALICE)
    heard, task = await _heard(world)
    assert (await world.frontchannel("https://nobody/v2.0", "sid")).closed == ()
    task.cancel()
    assert heard == []
