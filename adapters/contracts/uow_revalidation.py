"""The part of the unit-of-work contract that follows Microsoft after the sign-in: the
re-validation lease, confirmations, and closing sessions by Microsoft's `sid`."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from adapters.contracts.records import Person, at, session
from adapters.contracts.uow_support import UnitOfWorkFixtures, committed
from core.model import MicrosoftTokens, Session
from core.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

ISS = "https://login.example.com/11111111-1111-1111-1111-111111111111/v2.0"
OTHER_ISS = "https://login.example.com/22222222-2222-2222-2222-222222222222/v2.0"
NEW_TOKENS = MicrosoftTokens(access_token="at2", refresh_token="rt2", id_token="it2")


async def _store(uow_factory: UnitOfWorkFactory, person: Person, *sessions: Session) -> None:
    async def write(uow: UnitOfWork) -> None:
        await person.add(uow)
        for s in sessions:
            await uow.sessions.add(s)

    await committed(uow_factory, write)


async def _get(uow_factory: UnitOfWorkFactory, session_id: str) -> Session | None:
    async with uow_factory() as uow:
        return await uow.sessions.get(session_id)


class SessionRevalidationContract(UnitOfWorkFixtures):
    async def test_sessions_keep_their_microsoft_session_and_confirmation(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        alice = Person()
        opened = session(
            alice.account, microsoft_sid="sid-1", microsoft_issuer=ISS,
            confirmed_at=at(30), confirm_lease_until=at(40),
        )
        await _store(uow_factory, alice, opened)
        assert await _get(uow_factory, opened.id) == opened

    async def test_claim_takes_due_open_unleased_sessions_oldest_confirmation_first(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        alice = Person()
        now, due_before, lease = at(1000), at(100), at(1900)
        oldest = session(alice.account, created=0)                       # never confirmed: at 0
        older = session(alice.account, created=0, confirmed_at=at(50))
        boundary = session(alice.account, created=0, confirmed_at=at(100))  # not before: not due
        fresh = session(alice.account, created=0, confirmed_at=at(900))
        leased = session(alice.account, created=0, confirm_lease_until=at(1001))
        lease_over = session(alice.account, created=0, confirmed_at=at(60), confirm_lease_until=at(1000))
        revoked = session(alice.account, created=0, revoked_at=at(500), microsoft_tokens=None)
        expired = session(alice.account, created=-3000)  # idle expiry at 600
        await _store(
            uow_factory, alice, oldest, older, boundary, fresh, leased, lease_over, revoked, expired
        )
        async with uow_factory() as uow:
            claimed = await uow.sessions.claim_for_confirmation(now, due_before, lease, limit=2)
            await uow.commit()
        assert [s.id for s in claimed] == [oldest.id, older.id]
        assert claimed == [
            replace(oldest, confirm_lease_until=lease), replace(older, confirm_lease_until=lease)
        ]
        async with uow_factory() as uow:
            rest = await uow.sessions.claim_for_confirmation(now, due_before, lease, limit=10)
            await uow.commit()
        assert [s.id for s in rest] == [lease_over.id]
        assert await _get(uow_factory, leased.id) == leased
        assert await _get(uow_factory, revoked.id) == revoked

    async def test_a_claimed_session_is_claimed_again_only_after_its_lease(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        alice = Person()
        opened = session(alice.account)
        await _store(uow_factory, alice, opened)
        for now, expected in ((at(200), 1), (at(300), 0), (at(499), 0), (at(500), 1)):
            async with uow_factory() as uow:
                claimed = await uow.sessions.claim_for_confirmation(now, at(100), now + (at(300) - at(0)), 5)
                await uow.commit()
            assert len(claimed) == expected, now

    async def test_a_rolled_back_claim_leaves_the_session_free(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        alice = Person()
        opened = session(alice.account)
        await _store(uow_factory, alice, opened)
        async with uow_factory() as uow:
            assert len(await uow.sessions.claim_for_confirmation(at(200), at(100), at(500), 5)) == 1
        assert await _get(uow_factory, opened.id) == opened

    async def test_concurrent_claims_share_the_sessions_out_once(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        alice = Person()
        sessions = [session(alice.account) for _ in range(6)]
        await _store(uow_factory, alice, *sessions)

        async def claim() -> list[str]:
            async with uow_factory() as uow:
                claimed = await uow.sessions.claim_for_confirmation(at(200), at(100), at(500), 6)
                await uow.commit()
            return [s.id for s in claimed]

        first, second, third = await asyncio.gather(claim(), claim(), claim())
        taken = first + second + third
        assert sorted(taken) == sorted(s.id for s in sessions)  # each exactly once

    async def test_confirm_replaces_the_tokens_and_frees_the_lease(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        alice = Person()
        opened = session(alice.account, confirm_lease_until=at(900))
        await _store(uow_factory, alice, opened)
        async with uow_factory() as uow:
            confirmed = await uow.sessions.confirm(opened.id, NEW_TOKENS, at(120), now=at(130))
            await uow.commit()
        expected = replace(
            opened, microsoft_tokens=NEW_TOKENS, confirmed_at=at(120), confirm_lease_until=None
        )
        assert confirmed == expected
        assert await _get(uow_factory, opened.id) == expected

    async def test_confirm_never_reopens_or_refills_a_closed_session(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        alice = Person()
        revoked = session(alice.account, revoked_at=at(50), microsoft_tokens=None)
        idle_gone = session(alice.account)  # idle expiry at 3600
        await _store(uow_factory, alice, revoked, idle_gone)
        async with uow_factory() as uow:
            assert await uow.sessions.confirm(revoked.id, NEW_TOKENS, at(100), now=at(100)) is None
            assert await uow.sessions.confirm(idle_gone.id, NEW_TOKENS, at(3600), now=at(3600)) is None
            assert await uow.sessions.confirm("no-such-session", NEW_TOKENS, at(100), now=at(100)) is None
            await uow.commit()
        assert await _get(uow_factory, revoked.id) == revoked
        assert await _get(uow_factory, idle_gone.id) == idle_gone

    async def test_revoke_by_microsoft_sid_closes_exactly_the_matching_sessions(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        alice = Person()
        first = session(alice.account, created=10, microsoft_sid="sid-1", microsoft_issuer=ISS)
        second = session(alice.account, created=20, microsoft_sid="sid-1", microsoft_issuer=ISS)
        other_sid = session(alice.account, microsoft_sid="sid-2", microsoft_issuer=ISS)
        other_iss = session(alice.account, microsoft_sid="sid-1", microsoft_issuer=OTHER_ISS)
        no_sid = session(alice.account)
        earlier = session(
            alice.account, microsoft_sid="sid-1", microsoft_issuer=ISS, revoked_at=at(5),
            microsoft_tokens=None,
        )
        await _store(uow_factory, alice, second, first, other_sid, other_iss, no_sid, earlier)
        async with uow_factory() as uow:
            closed = await uow.sessions.revoke_by_microsoft_sid(ISS, "sid-1", at(60))
            again = await uow.sessions.revoke_by_microsoft_sid(ISS, "sid-1", at(90))
            await uow.commit()
        assert closed == [
            replace(first, revoked_at=at(60), microsoft_tokens=None),
            replace(second, revoked_at=at(60), microsoft_tokens=None),
        ]
        assert list(again) == []
        for untouched in (other_sid, other_iss, no_sid, earlier):
            assert await _get(uow_factory, untouched.id) == untouched
        assert await _get(uow_factory, first.id) == closed[0]
