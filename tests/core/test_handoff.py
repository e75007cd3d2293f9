from __future__ import annotations

import pytest

from adapters.crypto import AeadHandoffCipher
from adapters.memory.handoff import MemoryTokenHandoff
from core.errors import ErrorCode, SignInError
from core.usecases.handoff import CODE_LIFETIME, IssueHandoffCode, RedeemHandoffCode, lookup_key
from tests.core.world import World


def handoff_of(world: World) -> tuple[MemoryTokenHandoff, IssueHandoffCode, RedeemHandoffCode]:
    store = MemoryTokenHandoff(world.clock)
    cipher = AeadHandoffCipher()
    return store, IssueHandoffCode(store, cipher, world.ids), RedeemHandoffCode(store, cipher)


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


async def test_store_holds_the_token_only_sealed_under_the_code(world: World) -> None:
    store, issue, redeem = handoff_of(world)
    code = await issue("eyJ.the-live-token")
    (key,) = store._entries
    sealed, _ = store._entries[key]
    assert key == lookup_key(code) and code not in key
    assert "eyJ" not in sealed and "the-live-token" not in sealed and code not in sealed
    # a value put back under the key by someone without the code is no token
    await store.put(key, "eyJ.forged-token", CODE_LIFETIME)
    await refused(redeem, code)


async def test_a_sealed_token_under_another_codes_key_does_not_open(world: World) -> None:
    store, issue, redeem = handoff_of(world)
    first, second = await issue("token-1"), await issue("token-2")
    sealed_first, until = store._entries[lookup_key(first)]
    store._entries[lookup_key(second)] = (sealed_first, until)
    await refused(redeem, second)
    assert await redeem(first) == "token-1"


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
