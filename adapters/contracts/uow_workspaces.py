"""Unit-of-work contract, part 3: workspaces, roles, memberships, invites and sessions."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.contracts.records import ROLES, Person, add_roles, at, invite, membership, session
from adapters.contracts.uow_support import UnitOfWorkFixtures, committed, refused_as_duplicate
from core.model import InviteStatus, MicrosoftTokens, Role
from core.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


async def _workspaces(uow_factory: UnitOfWorkFactory, count: int, *, roles: bool = True) -> list[int]:
    async with uow_factory() as uow:
        if roles:
            await add_roles(uow)
        ids = [(await uow.workspaces.add(f"W{n}", f"https://w{n}.example.com")).id for n in range(count)]
        await uow.commit()
    return ids


class WorkspaceRoleContract(UnitOfWorkFixtures):
    async def test_workspaces_are_numbered_from_one(self, uow_factory: UnitOfWorkFactory) -> None:
        async with uow_factory() as uow:
            added = [await uow.workspaces.add(f"W{n}", f"https://w{n}.example.com") for n in range(3)]
            await uow.commit()
        assert [w.id for w in added] == [1, 2, 3]
        async with uow_factory() as uow:
            assert await uow.workspaces.list() == added
            assert await uow.workspaces.get(2) == added[1]
            assert await uow.workspaces.get(4) is None

    async def test_remove_deletes_the_workspace_and_its_memberships(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        kept, removed = await _workspaces(uow_factory, 2)
        alice = Person()
        await committed(
            uow_factory,
            alice.add,
            lambda uow: uow.memberships.add(membership(alice.user, kept)),
            lambda uow: uow.memberships.add(membership(alice.user, removed, "owner")),
        )
        await committed(uow_factory, lambda uow: uow.workspaces.remove(removed))
        async with uow_factory() as uow:
            assert await uow.workspaces.get(removed) is None
            assert [w.id for w in await uow.workspaces.list()] == [kept]
            assert [m.workspace_id for m in await uow.memberships.for_user(alice.user.id)] == [kept]

    async def test_a_removed_workspace_id_is_never_reused(self, uow_factory: UnitOfWorkFactory) -> None:
        (first, second) = await _workspaces(uow_factory, 2, roles=False)
        await committed(uow_factory, lambda uow: uow.workspaces.remove(second))
        async with uow_factory() as uow:
            newcomer = await uow.workspaces.add("New", "https://new.example.com")
        assert newcomer.id > second > first

    async def test_roles_are_found_by_name_and_listed_by_rank(self, uow_factory: UnitOfWorkFactory) -> None:
        await committed(uow_factory, *(lambda uow, r=r: uow.roles.add(r) for r in reversed(ROLES)))
        async with uow_factory() as uow:
            assert await uow.roles.by_name("editor") == ROLES[1]
            assert await uow.roles.by_name("admin") is None
            assert list(await uow.roles.list()) == sorted(ROLES, key=lambda r: -r.rank)

    async def test_a_role_name_is_unique(self, uow_factory: UnitOfWorkFactory) -> None:
        await committed(uow_factory, add_roles)
        await refused_as_duplicate(uow_factory, lambda uow: uow.roles.add(Role(id=9, name="owner", rank=99)))

    async def test_a_role_id_is_unique(self, uow_factory: UnitOfWorkFactory) -> None:
        await committed(uow_factory, add_roles)
        await refused_as_duplicate(uow_factory, lambda uow: uow.roles.add(Role(id=1, name="auditor", rank=5)))

    async def test_memberships_are_listed_by_workspace_id(self, uow_factory: UnitOfWorkFactory) -> None:
        ids = await _workspaces(uow_factory, 3)
        alice, bob = Person(), Person("bob@contoso.com")
        await committed(
            uow_factory,
            alice.add,
            bob.add,
            *(lambda uow, w=w: uow.memberships.add(membership(alice.user, w)) for w in reversed(ids)),
            lambda uow: uow.memberships.add(membership(bob.user, ids[0], "owner")),
        )
        async with uow_factory() as uow:
            assert list(await uow.memberships.for_user(alice.user.id)) == [
                membership(alice.user, w) for w in ids
            ]
            assert list(await uow.memberships.for_user(bob.user.id)) == [
                membership(bob.user, ids[0], "owner")
            ]

    async def test_a_user_has_one_membership_per_workspace(self, uow_factory: UnitOfWorkFactory) -> None:
        (workspace,) = await _workspaces(uow_factory, 1)
        alice = Person()
        await committed(
            uow_factory, alice.add, lambda uow: uow.memberships.add(membership(alice.user, workspace))
        )
        await refused_as_duplicate(
            uow_factory, lambda uow: uow.memberships.add(membership(alice.user, workspace, "owner"))
        )

    async def test_update_changes_a_memberships_role(self, uow_factory: UnitOfWorkFactory) -> None:
        (workspace,) = await _workspaces(uow_factory, 1)
        alice = Person()
        await committed(
            uow_factory, alice.add, lambda uow: uow.memberships.add(membership(alice.user, workspace))
        )
        await committed(
            uow_factory, lambda uow: uow.memberships.update(membership(alice.user, workspace, "owner"))
        )
        async with uow_factory() as uow:
            assert [m.role for m in await uow.memberships.for_user(alice.user.id)] == ["owner"]

    async def test_updating_an_unknown_membership_is_a_key_error(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        (workspace,) = await _workspaces(uow_factory, 1)
        alice = Person()
        await committed(uow_factory, alice.add)
        with pytest.raises(KeyError):
            await committed(
                uow_factory, lambda uow: uow.memberships.update(membership(alice.user, workspace))
            )


class InviteSessionContract(UnitOfWorkFixtures):
    async def test_invites_round_trip_and_update(self, uow_factory: UnitOfWorkFactory) -> None:
        (workspace,) = await _workspaces(uow_factory, 1)
        pending = invite("alice@contoso.com", workspace, status=InviteStatus.PENDING, expires_at=at(3600))
        await committed(uow_factory, lambda uow: uow.invites.add(pending))
        accepted = replace(pending, status=InviteStatus.ACCEPTED)
        await committed(uow_factory, lambda uow: uow.invites.update(accepted))
        async with uow_factory() as uow:
            assert await uow.invites.get(pending.id) == accepted
            assert list(await uow.invites.list()) == [accepted]
            assert await uow.invites.get("00000000-0000-0000-0000-000000000000") is None

    async def test_an_invite_is_applied_once(self, uow_factory: UnitOfWorkFactory) -> None:
        (workspace,) = await _workspaces(uow_factory, 1)
        alice = Person()
        accepted = invite("alice@contoso.com", workspace)
        await committed(uow_factory, alice.add, lambda uow: uow.invites.add(accepted))
        applied = replace(
            accepted, status=InviteStatus.APPLIED, applied_at=at(10), applied_user_id=alice.user.id
        )
        await committed(uow_factory, lambda uow: uow.invites.update(applied))
        await refused_as_duplicate(
            uow_factory, lambda uow: uow.invites.update(replace(applied, applied_at=at(20)))
        )
        async with uow_factory() as uow:
            assert await uow.invites.get(accepted.id) == applied

    async def test_updating_an_unknown_invite_is_a_key_error(self, uow_factory: UnitOfWorkFactory) -> None:
        (workspace,) = await _workspaces(uow_factory, 1)
        with pytest.raises(KeyError):
            await committed(uow_factory, lambda uow: uow.invites.update(invite("a@contoso.com", workspace)))

    async def test_applicable_invites_are_accepted_unexpired_unapplied_and_in_a_workspace(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        live, doomed = await _workspaces(uow_factory, 2)
        alice = Person()
        email, now = "alice@contoso.com", at(1000)
        wanted = [
            invite(email, live, created=2, expires_at=at(2000)),
            invite(email, live, created=1),
        ]
        unwanted = [
            invite(email, live, status=InviteStatus.PENDING),
            invite(email, live, status=InviteStatus.REVOKED),
            invite(email, live, status=InviteStatus.APPLIED, applied_at=at(5), applied_user_id=alice.user.id),
            invite(email, live, expires_at=now),
            invite(email, live, expires_at=at(999)),
            invite("bob@contoso.com", live),
            invite(email, doomed),
        ]
        await committed(
            uow_factory, alice.add, *(lambda uow, i=i: uow.invites.add(i) for i in wanted + unwanted)
        )
        await committed(uow_factory, lambda uow: uow.workspaces.remove(doomed))
        async with uow_factory() as uow:
            assert list(await uow.invites.applicable_for(email, now)) == [wanted[1], wanted[0]]

    async def test_sessions_round_trip_with_their_microsoft_tokens(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        alice = Person()
        opened = session(alice.account)
        await committed(uow_factory, alice.add, lambda uow: uow.sessions.add(opened))
        async with uow_factory() as uow:
            found = await uow.sessions.get(opened.id)
        assert found == opened
        assert found is not None and found.microsoft_tokens == MicrosoftTokens("at", "rt", "it")
        assert all(t.utcoffset().total_seconds() == 0 for t in (found.created_at, found.expires_at))  # type: ignore[union-attr]

    async def test_a_session_id_is_unique(self, uow_factory: UnitOfWorkFactory) -> None:
        alice = Person()
        opened = session(alice.account)
        await committed(uow_factory, alice.add, lambda uow: uow.sessions.add(opened))
        await refused_as_duplicate(
            uow_factory, lambda uow: uow.sessions.add(replace(opened, authority="aad"))
        )

    async def test_open_sessions_are_the_users_unrevoked_unexpired_ones(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        alice, bob = Person(), Person("bob@contoso.com")
        now = at(5000)
        open_ones = [session(alice.account, created=4000), session(alice.account, created=4500)]
        closed = [
            session(alice.account, created=4000, revoked_at=at(4100)),
            session(alice.account, created=0),  # idle-expired
            session(alice.account, created=4000, expires_at=now),  # expired just now
            session(bob.account, created=4000),
        ]

        async def write(uow: UnitOfWork) -> None:
            await alice.add(uow)
            await bob.add(uow)
            for s in open_ones + closed:
                await uow.sessions.add(s)

        await committed(uow_factory, write)
        async with uow_factory() as uow:
            found = await uow.sessions.open_for_user(alice.user.id, now)
        assert sorted(found, key=lambda s: s.id) == sorted(open_ones, key=lambda s: s.id)  # order unspecified

    async def test_revoke_closes_a_session_deletes_its_tokens_and_keeps_the_first_time(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        alice = Person()
        opened = session(alice.account)
        await committed(uow_factory, alice.add, lambda uow: uow.sessions.add(opened))
        async with uow_factory() as uow:
            closed = await uow.sessions.revoke(opened.id, at(60))
            again = await uow.sessions.revoke(opened.id, at(90))
            unknown = await uow.sessions.revoke("no-such-session", at(60))
            await uow.commit()
        assert closed == again == replace(opened, revoked_at=at(60), microsoft_tokens=None)
        assert unknown is None
        async with uow_factory() as uow:
            assert await uow.sessions.get(opened.id) == closed

    async def test_extend_idle_moves_an_open_sessions_idle_expiry_only(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        alice = Person()
        opened = session(alice.account)
        await committed(uow_factory, alice.add, lambda uow: uow.sessions.add(opened))
        async with uow_factory() as uow:
            extended = await uow.sessions.extend_idle(opened.id, at(7000), now=at(100))
            await uow.commit()
        assert extended == replace(opened, idle_expires_at=at(7000))
        async with uow_factory() as uow:
            assert await uow.sessions.get(opened.id) == extended

    async def test_extend_idle_never_reopens_a_closed_session(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        alice = Person()
        revoked = session(alice.account, revoked_at=at(50), microsoft_tokens=None)
        idle_gone = session(alice.account)  # idle expiry at 3600
        past_absolute = session(alice.account, idle_expires_at=at(40000))  # absolute at 28800
        await committed(
            uow_factory, alice.add,
            *(lambda uow, s=s: uow.sessions.add(s) for s in (revoked, idle_gone, past_absolute)),
        )
        async with uow_factory() as uow:
            assert await uow.sessions.extend_idle(revoked.id, at(9000), now=at(100)) is None
            assert await uow.sessions.extend_idle(idle_gone.id, at(9000), now=at(3600)) is None
            assert await uow.sessions.extend_idle(past_absolute.id, at(40000), now=at(28800)) is None
            assert await uow.sessions.extend_idle("no-such-session", at(9000), now=at(100)) is None
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.sessions.get(revoked.id) == revoked
            assert await uow.sessions.get(idle_gone.id) == idle_gone
