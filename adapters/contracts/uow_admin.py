"""Unit-of-work contract, part 4: what workspace administration needs (issue 17) —
workspace changes and locks, a workspace's memberships and invites, compare-and-set of an
invite, and audit events."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from adapters.contracts._support import RowCounts
from adapters.contracts.records import Person, add_roles, at, invite, membership, new_id
from adapters.contracts.uow_support import UnitOfWorkFixtures, committed, refused_as_duplicate
from core.model import AuditEvent, InviteStatus, Workspace
from core.ports.unit_of_work import UnitOfWorkFactory


def event(workspace_id: int, seconds: float, **changes: object) -> AuditEvent:
    values: dict[str, object] = {
        "id": new_id(), "at": at(seconds), "actor_id": None, "action": "invite_created",
        "workspace_id": workspace_id, "target": "t", "details": (("role", "viewer"),),
        "correlation_id": "c0ffee",
    }
    return AuditEvent(**{**values, **changes})  # type: ignore[arg-type]


async def _workspace(uow_factory: UnitOfWorkFactory, *, editors_invite: bool = False) -> Workspace:
    async with uow_factory() as uow:
        await add_roles(uow)
        workspace = await uow.workspaces.add(
            "Acme", "https://acme.example.com", editors_invite=editors_invite
        )
        await uow.commit()
    return workspace


class WorkspaceAdminContract(UnitOfWorkFixtures):
    async def test_a_workspace_keeps_whether_editors_invite_and_can_be_changed(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        plain = await _workspace(uow_factory)
        async with uow_factory() as uow:
            open_ = await uow.workspaces.add("Open", "https://open.example.com", editors_invite=True)
            await uow.commit()
        assert plain == Workspace(1, "Acme", "https://acme.example.com", False)
        assert open_ == Workspace(2, "Open", "https://open.example.com", True)
        changed = Workspace(1, "Acme 2", "https://two.example.com", True)
        await committed(uow_factory, lambda uow: uow.workspaces.update(changed))
        async with uow_factory() as uow:
            assert await uow.workspaces.get(1) == changed
            assert await uow.workspaces.get(2) == open_
            assert await uow.workspaces.lock(1) == changed
            assert await uow.workspaces.lock(99) is None

    async def test_updating_an_unknown_workspace_is_a_key_error(self, uow_factory: UnitOfWorkFactory) -> None:
        with pytest.raises(KeyError):
            await committed(
                uow_factory, lambda uow: uow.workspaces.update(Workspace(7, "X", "https://x.example"))
            )

    async def test_a_lock_serialises_units_on_the_same_workspace(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        workspace = await _workspace(uow_factory)
        order: list[str] = []

        async def holder(name: str) -> None:
            async with uow_factory() as uow:
                assert await uow.workspaces.lock(workspace.id) is not None
                order.append(f"{name} in")
                await asyncio.sleep(0.05)
                order.append(f"{name} out")
                await uow.commit()

        await asyncio.gather(holder("a"), holder("b"))
        assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])

    async def test_a_workspaces_memberships_by_creation_then_user(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        workspace = await _workspace(uow_factory)
        async with uow_factory() as uow:
            other = await uow.workspaces.add("Other", "https://o.example.com")
            await uow.commit()
        alice, bob, carol = Person(), Person("bob@contoso.com"), Person("carol@contoso.com")
        late = replace(membership(alice.user, workspace.id, "owner"), created_at=at(10))
        early = [membership(bob.user, workspace.id), membership(carol.user, workspace.id, "editor")]
        await committed(
            uow_factory, alice.add, bob.add, carol.add,
            lambda uow: uow.memberships.add(late),
            *(lambda uow, m=m: uow.memberships.add(m) for m in early),
            lambda uow: uow.memberships.add(membership(alice.user, other.id)),
        )
        async with uow_factory() as uow:
            assert list(await uow.memberships.for_workspace(workspace.id)) == [
                *sorted(early, key=lambda m: m.user_id), late
            ]
            assert await uow.memberships.get(alice.user.id, workspace.id) == late
            assert await uow.memberships.get(alice.user.id, 99) is None
            assert await uow.memberships.get("nobody", workspace.id) is None
            assert list(await uow.memberships.for_workspace(99)) == []

    async def test_remove_deletes_one_membership_and_says_whether_there_was_one(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        workspace = await _workspace(uow_factory)
        alice, bob = Person(), Person("bob@contoso.com")
        await committed(
            uow_factory, alice.add, bob.add,
            lambda uow: uow.memberships.add(membership(alice.user, workspace.id)),
            lambda uow: uow.memberships.add(membership(bob.user, workspace.id)),
        )
        async with uow_factory() as uow:
            assert await uow.memberships.remove(alice.user.id, workspace.id) is True
            assert await uow.memberships.remove(alice.user.id, workspace.id) is False
            assert await uow.memberships.remove("nobody", workspace.id) is False
            await uow.commit()
        async with uow_factory() as uow:
            assert [m.user_id for m in await uow.memberships.for_workspace(workspace.id)] == [bob.user.id]

    async def test_a_removal_left_uncommitted_leaves_no_trace(self, uow_factory: UnitOfWorkFactory) -> None:
        workspace = await _workspace(uow_factory)
        alice = Person()
        kept = membership(alice.user, workspace.id)
        await committed(uow_factory, alice.add, lambda uow: uow.memberships.add(kept))
        async with uow_factory() as uow:
            await uow.memberships.remove(alice.user.id, workspace.id)
        async with uow_factory() as uow:
            assert await uow.memberships.get(alice.user.id, workspace.id) == kept

    async def test_invites_keep_their_inviter_link_hash_and_revocation(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        workspace = await _workspace(uow_factory)
        linked = invite("erin@contoso.com", workspace.id, status=InviteStatus.PENDING, expires_at=at(600),
                        invited_by="u-1", token_hash="ab" * 32)
        await committed(uow_factory, lambda uow: uow.invites.add(linked))
        revoked = replace(linked, status=InviteStatus.REVOKED, revoked_at=at(30))
        await committed(uow_factory, lambda uow: uow.invites.update(revoked))
        async with uow_factory() as uow:
            assert await uow.invites.get(linked.id) == revoked

    async def test_a_workspaces_invites_of_every_status_by_creation(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        workspace = await _workspace(uow_factory)
        async with uow_factory() as uow:
            other = await uow.workspaces.add("Other", "https://o.example.com")
            await uow.commit()
        mine = [
            invite("a@contoso.com", workspace.id, created=3, status=InviteStatus.REVOKED),
            invite("b@contoso.com", workspace.id, created=1, status=InviteStatus.PENDING),
            invite("c@contoso.com", workspace.id, created=2),
        ]
        theirs = invite("a@contoso.com", other.id)
        await committed(uow_factory, *(lambda uow, i=i: uow.invites.add(i) for i in [*mine, theirs]))
        async with uow_factory() as uow:
            assert list(await uow.invites.for_workspace(workspace.id)) == [mine[1], mine[2], mine[0]]
            assert list(await uow.invites.for_workspace(other.id)) == [theirs]
            assert list(await uow.invites.for_workspace(99)) == []

    async def test_update_if_replaces_only_an_invite_still_in_the_expected_status(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        workspace = await _workspace(uow_factory)
        pending = invite("erin@contoso.com", workspace.id, status=InviteStatus.PENDING)
        await committed(uow_factory, lambda uow: uow.invites.add(pending))
        applied = replace(pending, status=InviteStatus.APPLIED, applied_at=at(9), applied_user_id="u-1")
        async with uow_factory() as uow:
            assert await uow.invites.update_if(applied, InviteStatus.ACCEPTED) is False
            assert await uow.invites.get(pending.id) == pending
            assert await uow.invites.update_if(applied, InviteStatus.PENDING) is True
            assert await uow.invites.update_if(applied, InviteStatus.PENDING) is False
            unknown = invite("x@contoso.com", workspace.id)
            assert await uow.invites.update_if(unknown, InviteStatus.ACCEPTED) is False
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.invites.get(pending.id) == applied

    async def test_of_two_concurrent_compare_and_sets_one_wins(self, uow_factory: UnitOfWorkFactory) -> None:
        workspace = await _workspace(uow_factory)
        pending = invite("erin@contoso.com", workspace.id, status=InviteStatus.PENDING)
        await committed(uow_factory, lambda uow: uow.invites.add(pending))

        async def racer(status: InviteStatus) -> bool:
            async with uow_factory() as uow:
                await asyncio.sleep(0)
                won = await uow.invites.update_if(replace(pending, status=status), InviteStatus.PENDING)
                await asyncio.sleep(0.02)
                await uow.commit()
                return won

        results = await asyncio.gather(racer(InviteStatus.APPLIED), racer(InviteStatus.REVOKED))
        assert sorted(results) == [False, True]
        async with uow_factory() as uow:
            stored = await uow.invites.get(pending.id)
        assert stored is not None
        assert stored.status is (InviteStatus.APPLIED if results[0] else InviteStatus.REVOKED)

    async def test_audit_events_round_trip_newest_first(
        self, uow_factory: UnitOfWorkFactory, row_counts: RowCounts
    ) -> None:
        workspace = await _workspace(uow_factory)
        async with uow_factory() as uow:
            other = await uow.workspaces.add("Other", "https://o.example.com")
            await uow.commit()
        events = [
            event(workspace.id, 1, actor_id="u-1", details=()),
            event(workspace.id, 3, details=(("role", "owner"), ("was", "viewer"))),
            event(other.id, 2),
        ]
        same_time = [event(workspace.id, 5, id="b-event"), event(workspace.id, 5, id="a-event")]
        await committed(uow_factory, *(lambda uow, e=e: uow.audit.add(e) for e in events + same_time))
        async with uow_factory() as uow:
            assert list(await uow.audit.for_workspace(workspace.id)) == [
                same_time[0], same_time[1], events[1], events[0]
            ]
            assert list(await uow.audit.for_workspace(workspace.id, limit=2)) == same_time
            assert list(await uow.audit.list()) == [*same_time, events[1], events[2], events[0]]
            assert list(await uow.audit.list(limit=1)) == [same_time[0]]
            assert list(await uow.audit.for_workspace(99)) == []
        from adapters.contracts._support import counts

        assert (await counts(row_counts))["audit_events"] == 5

    async def test_an_audit_event_id_is_unique(self, uow_factory: UnitOfWorkFactory) -> None:
        workspace = await _workspace(uow_factory)
        first = event(workspace.id, 1)
        await committed(uow_factory, lambda uow: uow.audit.add(first))
        await refused_as_duplicate(uow_factory, lambda uow: uow.audit.add(replace(first, at=at(2))))
