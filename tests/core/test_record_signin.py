from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from adapters.memory import MemoryDatabase
from core.errors import ErrorCode, SignInError
from core.model import InviteStatus
from core.policy import SignInPolicy
from tests.core.builders import TENANT_2, aad, federated, local
from tests.core.colliding import CollidingUnits
from tests.core.world import World

ALICE = aad("alice@contoso.com")


async def accounts_of(world: World, user_id: str) -> list[str]:
    async with world.db.unit_of_work() as uow:
        return [a.id for a in await uow.accounts.for_user(user_id)]


async def test_first_sign_in_creates_a_user_an_account_and_a_session(world: World) -> None:
    before = world.rows()
    record = await world.record(ALICE)
    after = world.rows()
    assert record.new_user and record.user.email == "alice@contoso.com"
    assert record.account.user_id == record.user.id and record.session.user_id == record.user.id
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {
        "users": 1, "accounts": 1, "sessions": 1, "providers": 1, "directories": 1,
    }
    assert record.workspace is None and record.applied_invites == ()
    assert record.session.authority == "aad"  # a sign-in recorded without an authority is Azure AD's


async def test_same_identity_twice_gives_the_same_user_and_only_a_new_session(world: World) -> None:
    first = await world.record(ALICE)
    before = world.rows()
    world.clock.advance(60)
    second = await world.record(ALICE)
    assert second.user.id == first.user.id and second.account.id == first.account.id
    assert not second.new_user
    assert world.rows() == {**before, "sessions": before["sessions"] + 1}
    assert second.account.last_login_at == world.clock.now()


async def test_email_changed_at_microsoft_never_moves_the_account(world: World) -> None:
    first = await world.record(ALICE)
    await world.record(aad("bob@contoso.com", oid="bob"))
    moved = await world.record(replace(ALICE, email="bob@contoso.com", display_name="Bob?"))
    assert moved.user.id == first.user.id
    assert moved.account.email == "bob@contoso.com"
    assert moved.user.email == "alice@contoso.com"


async def test_verified_email_from_another_tenant_joins_the_same_user(world: World) -> None:
    first = await world.record(ALICE)
    other = await world.record(aad("ALICE@contoso.com", tenant=TENANT_2, oid="alice-t2"))
    assert other.user.id == first.user.id and not other.new_user
    assert len(await accounts_of(world, first.user.id)) == 2


async def test_local_and_social_accounts_find_their_providers(world: World) -> None:
    carol = await world.record(local("carol@contoso.com"))
    google = await world.record(federated("dave@gmail.com"))
    assert carol.user.email == "carol@contoso.com"
    assert google.user.email is None and google.user.display_email == "dave@gmail.com"
    with pytest.raises(SignInError) as caught:
        await world.record(federated("erin@yahoo.com", idp="facebook.com", oid="erin"))
    assert caught.value.code is ErrorCode.PROVIDER_NOT_REGISTERED


async def test_accepted_invites_grant_roles_once_and_pick_the_landing(world: World) -> None:
    viewer = await world.admin.invite("alice@contoso.com", 2, "viewer", accepted=True)
    owner = await world.admin.invite("Alice@Contoso.com", 1, "owner", accepted=True)
    pending = await world.admin.invite("alice@contoso.com", 1, "viewer")
    other = await world.admin.invite("bob@contoso.com", 1, "owner", accepted=True)
    record = await world.record(ALICE)
    assert {i.id for i in record.applied_invites} == {viewer.id, owner.id}
    assert record.workspace is not None and record.workspace.id == 1
    assert record.user.last_workspace_id == 1
    invites = {i.id: i for i in await world.admin.invites()}
    assert invites[viewer.id].status is InviteStatus.APPLIED
    assert invites[viewer.id].applied_user_id == record.user.id
    assert invites[pending.id].status is InviteStatus.PENDING
    assert invites[other.id].status is InviteStatus.ACCEPTED
    before = world.rows()
    again = await world.record(ALICE)
    assert again.applied_invites == ()
    assert world.rows() == {**before, "sessions": before["sessions"] + 1}


async def test_invite_accepted_later_is_applied_at_the_next_sign_in(world: World) -> None:
    first = await world.record(ALICE)
    invite = await world.admin.invite("alice@contoso.com", 2, "editor")
    assert (await world.record(ALICE)).applied_invites == ()
    await world.admin.accept_invite(invite.id)
    second = await world.record(ALICE)
    assert [i.id for i in second.applied_invites] == [invite.id]
    assert second.workspace is not None and second.workspace.id == 2
    async with world.db.unit_of_work() as uow:
        assert [(m.workspace_id, m.role) for m in await uow.memberships.for_user(first.user.id)] == [
            (2, "editor")
        ]


async def test_invite_for_a_higher_role_raises_a_members_role_and_a_lower_one_never_lowers_it(
    world: World,
) -> None:
    await world.admin.invite("alice@contoso.com", 1, "viewer", accepted=True)
    first = await world.record(ALICE)
    await world.admin.invite("alice@contoso.com", 1, "owner", accepted=True)
    await world.record(ALICE)
    await world.admin.invite("alice@contoso.com", 1, "editor", accepted=True)
    before = world.rows()
    third = await world.record(ALICE)
    assert len(third.applied_invites) == 1
    assert world.rows() == {**before, "sessions": before["sessions"] + 1}
    async with world.db.unit_of_work() as uow:
        assert [(m.workspace_id, m.role) for m in await uow.memberships.for_user(first.user.id)] == [
            (1, "owner")
        ]


async def test_invite_to_a_deleted_workspace_is_never_applied(world: World) -> None:
    invite = await world.admin.invite("alice@contoso.com", 2, "owner", accepted=True)
    async with world.db.unit_of_work() as uow:
        await uow.workspaces.remove(2)
        await uow.commit()
    record = await world.record(ALICE)
    assert record.applied_invites == () and record.workspace is None
    assert {i.id: i.status for i in await world.admin.invites()}[invite.id] is InviteStatus.ACCEPTED


async def test_landing_stays_in_the_most_recent_workspace(world: World) -> None:
    await world.admin.invite("alice@contoso.com", 1, "viewer", accepted=True)
    await world.admin.invite("alice@contoso.com", 2, "viewer", accepted=True)
    first = await world.record(ALICE)
    async with world.db.unit_of_work() as uow:
        await uow.users.set_last_workspace(first.user.id, 2)
        await uow.commit()
    again = await world.record(ALICE)
    assert again.workspace is not None and again.workspace.id == 2


async def test_sign_in_that_loses_races_is_decided_again_and_ends_with_one_user() -> None:
    db = MemoryDatabase()
    units = CollidingUnits(db)
    world = World(db=db, uow=units)
    await world.standard_setup()
    before = world.rows()
    units.collisions = world.policy.max_attempts - 1
    record = await world.record(ALICE)
    assert units.collisions == 0
    after = world.rows()
    assert after["users"] - before["users"] == 1 and after["accounts"] - before["accounts"] == 1
    assert after["sessions"] - before["sessions"] == 1
    assert (await world.record(ALICE)).user.id == record.user.id


async def test_sign_in_that_keeps_losing_races_is_temporarily_unavailable_and_writes_nothing() -> None:
    db = MemoryDatabase()
    units = CollidingUnits(db)
    world = World(db=db, uow=units, policy=SignInPolicy(max_attempts=2))
    await world.standard_setup()
    before = world.rows()
    units.collisions = 2
    with pytest.raises(SignInError) as caught:
        await world.record(ALICE)
    assert caught.value.code is ErrorCode.TEMPORARILY_UNAVAILABLE
    assert caught.value.detail == "sign-in kept colliding with concurrent sign-ins"
    assert world.rows() == before


async def test_two_first_sign_ins_at_the_same_moment_end_with_one_user_and_one_account(world: World) -> None:
    first, second = await asyncio.gather(world.record(ALICE), world.record(ALICE))
    assert first.user.id == second.user.id and first.account.id == second.account.id
    assert world.rows()["users"] == 1 and world.rows()["accounts"] == 1
    assert world.rows()["sessions"] == 2


async def test_two_people_of_a_new_organisation_at_once_share_its_directory_and_provider(
    world: World,
) -> None:
    bob = aad("bob@fabrikam.com", tenant=TENANT_2, oid="bob")
    carol = aad("carol@fabrikam.com", tenant=TENANT_2, oid="carol")
    directories, providers = world.rows()["directories"], world.rows()["providers"]
    await asyncio.gather(world.record(bob), world.record(carol))
    assert world.rows()["directories"] == directories + 1
    assert world.rows()["providers"] == providers + 1


async def test_a_first_sign_in_writes_each_record_with_its_times_names_and_tenant(world: World) -> None:
    await world.admin.invite("alice@contoso.com", 2, "editor", accepted=True)
    world.clock.advance(3600)
    now = world.clock.now()
    identity = aad("  Alice@Contoso.com ", tenant=TENANT_2, oid="alice-oid", name="Alice Liddell")
    record = await world.record(identity, "aad")
    async with world.db.unit_of_work() as uow:
        user = await uow.users.get(record.user.id)
        account = await uow.accounts.by_key(identity.issuer, "alice-oid")
        provider = await uow.providers.by_issuer(identity.provider_key)
        directory = await uow.directories.by_domain("contoso.com")
        [membership] = await uow.memberships.for_user(record.user.id)
        session = await uow.sessions.get(record.session.id)
    assert user is not None and account is not None and provider is not None and directory is not None
    assert (user.email, user.display_email, user.display_name) == (
        "alice@contoso.com", "Alice@Contoso.com", "Alice Liddell"
    )
    assert user.created_at == now and user.last_workspace_id == 2
    assert (account.user_id, account.tenant_id, account.email, account.display_name) == (
        user.id, TENANT_2, "  Alice@Contoso.com ", "Alice Liddell"
    )
    assert (account.provider_id, account.directory_id) == (provider.id, directory.id)
    assert account.created_at == account.last_login_at == now
    assert (provider.name, provider.directory_id, provider.domains) == (
        "Azure AD (contoso.com)", directory.id, ("contoso.com",)
    )
    assert provider.created_at == now
    assert (directory.name, directory.domain, directory.created_at) == ("contoso.com", "contoso.com", now)
    assert (membership.workspace_id, membership.role, membership.created_at) == (2, "editor", now)
    assert session is not None and session.created_at == now and session.authority == "aad"


async def test_a_returning_sign_in_refreshes_only_the_accounts_profile_and_login_time(world: World) -> None:
    first = await world.record(ALICE)
    world.clock.advance(600)
    await world.record(replace(ALICE, email="alice.l@contoso.com", display_name="Alice L."))
    async with world.db.unit_of_work() as uow:
        account = await uow.accounts.by_key(ALICE.issuer, ALICE.object_id)
        user = await uow.users.get(first.user.id)
    assert account is not None and user is not None
    assert (account.email, account.display_name) == ("alice.l@contoso.com", "Alice L.")
    assert account.created_at == first.account.created_at
    assert account.last_login_at == world.clock.now() != first.account.last_login_at
    assert user == first.user


async def test_an_accepted_invite_applies_until_it_expires(world: World) -> None:
    from datetime import timedelta

    now = world.clock.now()
    await world.admin.invite("alice@contoso.com", 1, "viewer", accepted=True,
                             expires_at=now + timedelta(hours=1))
    await world.admin.invite("alice@contoso.com", 2, "editor", accepted=True,
                             expires_at=now - timedelta(seconds=1))
    record = await world.record(ALICE)
    assert [(i.workspace_id, i.role) for i in record.applied_invites] == [(1, "viewer")]
