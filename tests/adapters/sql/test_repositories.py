from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from adapters.sql import SqlDatabase
from core.errors import DuplicateKey
from core.model import Invite, InviteStatus, Membership, Role
from tests.adapters.sql.support import (
    NOW,
    a_directory,
    a_provider,
    a_user,
    an_account,
    count_rows,
    raw_value,
    seed_person,
)


async def test_times_come_back_aware_utc_whatever_zone_went_in(database: SqlDatabase):
    paris = datetime(2025, 3, 1, 13, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    async with database.unit_of_work() as uow:
        await uow.users.add(a_user(created_at=paris))
        await uow.commit()
    async with database.unit_of_work() as uow:
        user = await uow.users.get("u1")
    assert user is not None
    assert user.created_at == paris
    assert user.created_at.tzinfo is UTC
    assert user.created_at.hour == 12 and user.created_at.microsecond == 123456


async def test_naive_times_are_refused(database: SqlDatabase):
    async with database.unit_of_work() as uow:
        with pytest.raises(Exception, match="naive"):
            await uow.users.add(a_user(created_at=datetime(2025, 1, 1)))  # noqa: DTZ001


async def test_users_by_email_never_find_unverified_ones(database: SqlDatabase):
    async with database.unit_of_work() as uow:
        await uow.users.add(a_user("u1", email=None, display_email="ada@contoso.com"))
        assert await uow.users.by_email("ada@contoso.com") is None
        await uow.users.add(a_user("u2"))
        assert (await uow.users.by_email("ada@contoso.com")).id == "u2"


async def test_user_targeted_writes_change_one_field_and_unknown_id_is_key_error(database: SqlDatabase):
    await seed_person(database)
    async with database.unit_of_work() as uow:
        await uow.workspaces.add("one", "https://one.example")
        await uow.users.set_last_workspace("u1", 1)
        await uow.users.disable("u1")
        assert await uow.users.get("u1") == replace(a_user(), disabled=True, last_workspace_id=1)
        with pytest.raises(KeyError):
            await uow.users.set_last_workspace("nobody", 1)
        assert [u.id for u in await uow.users.list()] == ["u1"]


async def test_accounts_for_user_and_update(database: SqlDatabase):
    await seed_person(database)
    async with database.unit_of_work() as uow:
        second = an_account("a2", object_id="oid-2", created_at=NOW + timedelta(seconds=1))
        await uow.accounts.add(second)
        later = replace(an_account(), last_login_at=NOW + timedelta(days=1), email=None)
        await uow.accounts.update(later)
        assert await uow.accounts.for_user("u1") == [later, second]
        with pytest.raises(KeyError):
            await uow.accounts.update(an_account("missing"))


async def test_one_directory_per_domain_and_one_default(database: SqlDatabase):
    async with database.unit_of_work() as uow:
        await uow.directories.add(a_directory("d1", "contoso.com"))
        await uow.directories.add(a_directory("d0", None))
        assert (await uow.directories.by_domain("contoso.com")).id == "d1"
        assert await uow.directories.default() == a_directory("d0", None)
        assert await uow.directories.by_domain("fabrikam.com") is None
    for clash in (a_directory("d2", "contoso.com"), a_directory("d3", None)):
        async with database.unit_of_work() as uow:
            await uow.directories.add(a_directory("d1", "contoso.com"))
            await uow.directories.add(a_directory("d0", None))
            with pytest.raises(DuplicateKey):
                await uow.directories.add(clash)


async def test_providers_keep_their_domains_in_order(database: SqlDatabase):
    provider = a_provider(domains=("contoso.com", "contoso.org", "a.contoso.com"))
    bare = a_provider("p2", issuer="google.com", domains=())
    async with database.unit_of_work() as uow:
        await uow.directories.add(a_directory())
        await uow.providers.add(provider)
        await uow.providers.add(bare)
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.providers.get("p1") == provider
        assert await uow.providers.by_issuer("google.com") == bare
        assert await uow.providers.by_domain("contoso.org") == provider
        assert await uow.providers.by_domain("fabrikam.com") is None
        assert await uow.providers.list() == [provider, bare]


@pytest.mark.parametrize(
    "clash",
    [
        a_provider("p2", domains=("fabrikam.com",)),  # same issuer
        a_provider("p2", issuer="https://other/v2.0", domains=("contoso.com",)),  # same domain
    ],
)
async def test_one_provider_per_issuer_and_per_domain(database: SqlDatabase, clash):
    async with database.unit_of_work() as uow:
        await uow.directories.add(a_directory())
        await uow.providers.add(a_provider())
        with pytest.raises(DuplicateKey):
            await uow.providers.add(clash)


async def test_workspace_ids_count_up_and_are_never_reused(database: SqlDatabase):
    async with database.unit_of_work() as uow:
        ids = [(await uow.workspaces.add(f"w{n}", "https://w.example")).id for n in range(3)]
        await uow.commit()
    assert ids == [1, 2, 3]
    async with database.unit_of_work() as uow:
        await uow.workspaces.remove(3)
        assert (await uow.workspaces.add("w4", "https://w.example")).id == 4
        assert [w.id for w in await uow.workspaces.list()] == [1, 2, 4]


async def test_removing_a_workspace_removes_its_memberships(database: SqlDatabase):
    await seed_person(database)
    async with database.unit_of_work() as uow:
        first = await uow.workspaces.add("one", "https://one.example")
        second = await uow.workspaces.add("two", "https://two.example")
        for workspace in (first, second):
            await uow.memberships.add(Membership("u1", workspace.id, "viewer", NOW))
        await uow.users.set_last_workspace("u1", first.id)
        await uow.commit()
    async with database.unit_of_work() as uow:
        await uow.workspaces.remove(first.id)
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.memberships.for_user("u1") == [Membership("u1", second.id, "viewer", NOW)]
        assert (await uow.users.get("u1")).last_workspace_id is None
    assert (await count_rows(database))["memberships"] == 1


async def test_membership_unique_per_user_and_workspace_and_update(database: SqlDatabase):
    await seed_person(database)
    async with database.unit_of_work() as uow:
        workspace = await uow.workspaces.add("one", "https://one.example")
        await uow.memberships.add(Membership("u1", workspace.id, "viewer", NOW))
        await uow.memberships.update(Membership("u1", workspace.id, "owner", NOW))
        assert (await uow.memberships.for_user("u1"))[0].role == "owner"
        with pytest.raises(KeyError):
            await uow.memberships.update(Membership("u1", 99, "owner", NOW))
        with pytest.raises(DuplicateKey):
            await uow.memberships.add(Membership("u1", workspace.id, "editor", NOW))


async def test_roles_unique_by_name_listed_by_rank(database: SqlDatabase):
    async with database.unit_of_work() as uow:
        for role in (Role(1, "viewer", 10), Role(2, "owner", 30), Role(3, "editor", 20)):
            await uow.roles.add(role)
        assert [r.name for r in await uow.roles.list()] == ["owner", "editor", "viewer"]
        assert await uow.roles.by_name("editor") == Role(3, "editor", 20)
        with pytest.raises(DuplicateKey):
            await uow.roles.add(Role(4, "editor", 5))


def _invite(invite_id: str, workspace_id: int = 1, **changes) -> Invite:
    return replace(
        Invite(
            id=invite_id,
            email="ada@contoso.com",
            workspace_id=workspace_id,
            role="editor",
            status=InviteStatus.ACCEPTED,
            created_at=NOW,
        ),
        **changes,
    )


async def test_applicable_invites_are_only_the_valid_ones(database: SqlDatabase):
    async with database.unit_of_work() as uow:
        await uow.workspaces.add("one", "https://one.example")
        gone = await uow.workspaces.add("gone", "https://gone.example")
        valid = [
            _invite("i1", created_at=NOW - timedelta(minutes=2)),
            _invite("i2", expires_at=NOW + timedelta(seconds=1)),
        ]
        invalid = [
            _invite("x1", status=InviteStatus.PENDING),
            _invite("x2", status=InviteStatus.REVOKED),
            _invite("x3", status=InviteStatus.APPLIED),
            _invite("x4", expires_at=NOW),
            _invite("x5", email="eve@contoso.com"),
            _invite("x6", workspace_id=gone.id),
            _invite("x7", workspace_id=42),
        ]
        for invite in valid + invalid:
            await uow.invites.add(invite)
        await uow.workspaces.remove(gone.id)
        assert await uow.invites.applicable_for("ada@contoso.com", NOW) == valid
        assert len(await uow.invites.list()) == len(valid + invalid)
        assert await uow.invites.get("x6") == _invite("x6", workspace_id=gone.id)


async def test_an_invite_is_applied_once(database: SqlDatabase):
    await seed_person(database)
    async with database.unit_of_work() as uow:
        await uow.workspaces.add("one", "https://one.example")
        await uow.invites.add(_invite("i1"))
        await uow.commit()
    applied = _invite("i1", status=InviteStatus.APPLIED, applied_at=NOW, applied_user_id="u1")
    async with database.unit_of_work() as uow:
        await uow.invites.update(applied)
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.invites.get("i1") == applied
        with pytest.raises(DuplicateKey):
            await uow.invites.update(applied)
        with pytest.raises(KeyError):
            await uow.invites.update(_invite("nope", status=InviteStatus.APPLIED))
        await uow.invites.update(replace(applied, status=InviteStatus.REVOKED))
    assert await raw_value(database, "SELECT status FROM invites WHERE id = 'i1'") == "applied"
