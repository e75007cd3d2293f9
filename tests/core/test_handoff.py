from __future__ import annotations

import pytest

from adapters.memory.handoff import MemoryTokenHandoff
from core.errors import ErrorCode, SignInError
from core.usecases.handoff import CODE_LIFETIME, IssueHandoffCode, RedeemHandoffCode
from tests.core.world import World


def handoff_of(world: World) -> tuple[MemoryTokenHandoff, IssueHandoffCode, RedeemHandoffCode]:
    store = MemoryTokenHandoff(world.clock)
    return store, IssueHandoffCode(store, world.ids), RedeemHandoffCode(store)


async def refused(redeem: RedeemHandoffCode, code: str) -> str:
    with pytest.raises(SignInError) as caught:
        await redeem(code)
    assert caught.value.code is ErrorCode.INVALID_REQUEST
    return caught.value.detail


async def test_one_time_code_gives_the_token_once(world: World) -> None:
    store, issue, redeem = handoff_of(world)
    code = await issue("the-token")
    assert "the-token" not in code
    assert await redeem(code) == "the-token"
    await refused(redeem, code)


async def test_store_keeps_only_a_hash_of_the_code(world: World) -> None:
    store, issue, _ = handoff_of(world)
    code = await issue("the-token")
    assert await store.take(code) is None


async def test_code_expires_after_its_lifetime(world: World) -> None:
    _, issue, redeem = handoff_of(world)
    code = await issue("the-token")
    world.clock.advance(CODE_LIFETIME)
    await refused(redeem, code)


@pytest.mark.parametrize(
    ("code", "reason"),
    [("", "malformed code"), ("x" * 201, "malformed code"), ("never-issued", "unknown, used or expired code"),
     ("x" * 200, "unknown, used or expired code")],   # 200 characters is not too long: it is looked up
)
async def test_malformed_or_unknown_code_is_an_invalid_request(world: World, code: str, reason: str) -> None:
    _, _, redeem = handoff_of(world)
    assert await refused(redeem, code) == reason
