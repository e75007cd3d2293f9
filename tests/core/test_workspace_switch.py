"""Rule 6's "most recently used workspace": what the user last switched to (or landed in)
is where the next sign-in lands, in either order of a user's two workspaces."""
from __future__ import annotations

import pytest

from core.errors import AdminError, AdminErrorCode
from core.rules.workspaces import Actor
from tests.core.builders import aad
from tests.core.world import World

ALICE = aad("alice@contoso.com")


async def _member_of_both(world: World, first_invited: int) -> str:
    """Alice, a member of workspaces 1 and 2 (invited to `first_invited` first)."""
    for workspace_id in (first_invited, 3 - first_invited):
        await world.admin.invite("alice@contoso.com", workspace_id, "editor", accepted=True)
    done = await world.login(ALICE)
    return done.user_id


@pytest.mark.parametrize("first_invited", [1, 2])
@pytest.mark.parametrize(("switched_to", "other"), [(1, 2), (2, 1)])
async def test_the_next_sign_in_lands_in_the_workspace_last_switched_to(
    world: World, first_invited: int, switched_to: int, other: int
) -> None:
    user_id = await _member_of_both(world, first_invited)
    chosen = await world.switch(Actor(user_id), other)
    assert (chosen.workspace.id, chosen.role) == (other, "editor")
    assert (await world.login(ALICE)).landing_path == f"/workspace/{other}/home"
    await world.switch(Actor(user_id), switched_to)
    assert (await world.login(ALICE)).landing_path == f"/workspace/{switched_to}/home"
    async with world.db.unit_of_work(read_only=True) as uow:
        stored = await uow.users.get(user_id)
    assert stored is not None and stored.last_workspace_id == switched_to


@pytest.mark.parametrize("first_invited", [1, 2])
async def test_without_a_switch_the_lowest_workspace_id_is_the_landing(
    world: World, first_invited: int
) -> None:
    await _member_of_both(world, first_invited)
    assert (await world.login(ALICE)).landing_path == "/workspace/1/home"


async def test_a_deep_link_still_wins_over_the_recorded_workspace(world: World) -> None:
    user_id = await _member_of_both(world, 1)
    await world.switch(Actor(user_id), 2)
    assert (await world.login(ALICE, return_path="/reports/9")).landing_path == "/reports/9"
    assert (await world.login(ALICE)).landing_path == "/workspace/2/home"


async def test_switching_to_a_workspace_one_is_no_member_of_is_not_found_and_changes_nothing(
    world: World,
) -> None:
    await world.admin.invite("alice@contoso.com", 1, "editor", accepted=True)
    user_id = (await world.login(ALICE)).user_id
    for workspace_id in (2, 999):
        with pytest.raises(AdminError) as caught:
            await world.switch(Actor(user_id), workspace_id)
        assert caught.value.code is AdminErrorCode.NOT_FOUND
    async with world.db.unit_of_work(read_only=True) as uow:
        stored = await uow.users.get(user_id)
    assert stored is not None and stored.last_workspace_id == 1


async def test_the_operator_has_no_workspace_to_switch_to(world: World) -> None:
    with pytest.raises(AdminError) as caught:
        await world.switch(Actor.operator(), 1)
    assert caught.value.code is AdminErrorCode.NOT_FOUND
    assert caught.value.detail == "the operator has no workspace to be in"


async def test_leaving_the_recorded_workspace_lands_in_the_remaining_one(world: World) -> None:
    user_id = await _member_of_both(world, 1)
    await world.switch(Actor(user_id), 2)
    async with world.db.unit_of_work() as uow:
        await uow.memberships.remove(user_id, 2)
        await uow.commit()
    assert (await world.login(ALICE)).landing_path == "/workspace/1/home"
