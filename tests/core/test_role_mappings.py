"""Role mappings at sign-in (in-memory adapters) and their administration."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.errors import ErrorCode, SignInError
from core.model import GrantOrigin, MappingSource
from tests.core.builders import aad
from tests.core.world import World

ALICE = aad("alice@contoso.com", oid="oid-alice")
GROUP = "0b1e7a2c-0000-4000-8000-00000000000a"


async def roles_of(world: World, user_id: str) -> dict[int, tuple[str, GrantOrigin]]:
    async with world.db.unit_of_work() as uow:
        return {m.workspace_id: (m.role, m.origin) for m in await uow.memberships.for_user(user_id)}


async def failure(awaitable: object) -> SignInError:
    with pytest.raises(SignInError) as caught:
        await awaitable  # type: ignore[misc]
    return caught.value


async def test_app_roles_and_groups_follow_the_directory_at_each_sign_in(world: World) -> None:
    first = await world.login(ALICE)  # the tenant's provider is created here
    await world.admin.add_role_mapping(ALICE.issuer, MappingSource.APP_ROLE, "Workspace.Editor", 1, "editor")
    await world.admin.add_role_mapping(ALICE.issuer, MappingSource.GROUP, GROUP.upper(), 2, "owner")
    assert await roles_of(world, first.user_id) == {}

    done = await world.login(replace(ALICE, app_roles=("Workspace.Editor",), groups=(GROUP,)))
    assert done.landing_path == "/workspace/1/home"
    assert await roles_of(world, first.user_id) == {
        1: ("editor", GrantOrigin.MAPPING),
        2: ("owner", GrantOrigin.MAPPING),
    }
    await world.login(replace(ALICE, groups=(GROUP,)))
    assert await roles_of(world, first.user_id) == {2: ("owner", GrantOrigin.MAPPING)}
    await world.login(ALICE)
    assert await roles_of(world, first.user_id) == {}


async def test_an_invites_role_survives_the_mapping_that_raised_it(world: World) -> None:
    await world.admin.invite("alice@contoso.com", 1, "viewer", accepted=True)
    first = await world.login(ALICE)
    await world.admin.add_role_mapping(ALICE.issuer, MappingSource.APP_ROLE, "Admin", 1, "owner")
    await world.login(replace(ALICE, app_roles=("Admin",)))
    assert await roles_of(world, first.user_id) == {1: ("owner", GrantOrigin.MAPPING)}
    await world.login(ALICE)
    assert await roles_of(world, first.user_id) == {1: ("viewer", GrantOrigin.DIRECT)}


async def test_a_removed_mapping_takes_its_roles_back_at_the_next_sign_in(world: World) -> None:
    first = await world.login(ALICE)
    mapping = await world.admin.add_role_mapping(ALICE.issuer, MappingSource.APP_ROLE, "Reader", 2, "viewer")
    with_role = replace(ALICE, app_roles=("Reader",))
    await world.login(with_role)
    assert await roles_of(world, first.user_id) == {2: ("viewer", GrantOrigin.MAPPING)}
    await world.admin.remove_role_mapping(mapping.id)
    await world.login(with_role)
    assert await roles_of(world, first.user_id) == {}


async def test_another_providers_mappings_do_not_apply(world: World) -> None:
    first = await world.login(ALICE)
    other = aad("bob@fabrikam.com", tenant="33333333-3333-3333-3333-333333333333", oid="oid-bob")
    await world.login(other)
    await world.admin.add_role_mapping(other.issuer, MappingSource.APP_ROLE, "Reader", 2, "viewer")
    await world.login(replace(ALICE, app_roles=("Reader",)))
    assert await roles_of(world, first.user_id) == {}


async def test_role_mappings_are_listed_by_provider(world: World) -> None:
    await world.login(ALICE)
    made = await world.admin.add_role_mapping(
        ALICE.issuer, MappingSource.GROUP, f" {GROUP.upper()} ", 2, "owner"
    )
    assert made.value == GROUP and made.workspace_id == 2 and made.role == "owner"
    assert list(await world.admin.role_mappings()) == [made]
    assert list(await world.admin.role_mappings(made.provider_id)) == [made]
    assert list(await world.admin.role_mappings("Local accounts")) == []


@pytest.mark.parametrize(
    ("provider", "source", "value", "workspace", "role", "message"),
    [
        ("nobody", MappingSource.APP_ROLE, "R", 1, "viewer", "no provider 'nobody'"),
        (None, MappingSource.APP_ROLE, "R", 9, "viewer", "no workspace 9"),
        (None, MappingSource.APP_ROLE, "R", 1, "admin", "no role named 'admin'"),
        (None, MappingSource.APP_ROLE, " ", 1, "viewer", "an app role value has 1 to 256 characters"),
        (None, MappingSource.APP_ROLE, "R" * 257, 1, "viewer", "an app role value has 1 to 256 characters"),
        (None, MappingSource.GROUP, "not-a-guid", 1, "viewer", "a group is named by its object id (a GUID)"),
    ],
)
async def test_bad_role_mappings_are_refused_with_a_message(
    world: World,
    provider: str | None,
    source: MappingSource,
    value: str,
    workspace: int,
    role: str,
    message: str,
) -> None:
    await world.login(ALICE)
    error = await failure(
        world.admin.add_role_mapping(provider or ALICE.issuer, source, value, workspace, role)
    )
    assert error.code is ErrorCode.INVALID_REQUEST and error.detail == message


async def test_the_longest_app_role_value_is_accepted(world: World) -> None:
    await world.login(ALICE)
    made = await world.admin.add_role_mapping(ALICE.issuer, MappingSource.APP_ROLE, "R" * 256, 1, "viewer")
    assert made.value == "R" * 256


async def test_a_duplicate_mapping_and_an_unknown_removal_are_refused(world: World) -> None:
    await world.login(ALICE)
    await world.admin.add_role_mapping(ALICE.issuer, MappingSource.APP_ROLE, "R", 1, "viewer")
    error = await failure(world.admin.add_role_mapping(ALICE.issuer, MappingSource.APP_ROLE, "R", 1, "owner"))
    assert error.detail == "that provider already maps this value in this workspace"
    assert (await failure(world.admin.remove_role_mapping("nope"))).detail == "no role mapping nope"


async def test_providers_sharing_a_name_must_be_named_by_id_or_issuer(world: World) -> None:
    from core.model import ProviderKind

    first = await world.admin.add_provider("Twin", ProviderKind.SOCIAL, "twin-1.example")
    await world.admin.add_provider("Twin", ProviderKind.SOCIAL, "twin-2.example")
    error = await failure(world.admin.add_role_mapping("Twin", MappingSource.APP_ROLE, "R", 1, "viewer"))
    assert error.detail == "several providers are named 'Twin'; use the id or issuer"
    by_id = await world.admin.add_role_mapping(first.id, MappingSource.APP_ROLE, "R", 1, "viewer")
    by_issuer = await world.admin.add_role_mapping("twin-1.example", MappingSource.APP_ROLE, "S", 1, "viewer")
    assert by_id.provider_id == by_issuer.provider_id == first.id
    named = await world.admin.add_role_mapping("Local accounts", MappingSource.APP_ROLE, "R", 1, "viewer")
    assert named.provider_id != first.id


async def test_a_mapped_role_is_granted_at_the_moment_of_the_sign_in(world: World) -> None:
    first = await world.login(ALICE)
    await world.admin.add_role_mapping(ALICE.issuer, MappingSource.APP_ROLE, "Workspace.Editor", 1, "editor")
    world.clock.advance(60)
    await world.login(replace(ALICE, app_roles=("Workspace.Editor",)))
    async with world.db.unit_of_work(read_only=True) as uow:
        [granted] = await uow.memberships.for_user(first.user_id)
    assert granted.created_at == world.clock.now()
