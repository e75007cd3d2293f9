"""The contract of `core.ports.handoff.TokenHandoff`."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from adapters.contracts._support import Advance, RawValues, abstract, elapse, raw_values
from adapters.crypto import AeadHandoffCipher
from adapters.memory import RandomIds
from core.ports.handoff import TokenHandoff
from core.usecases.handoff import IssueHandoffCode, RedeemHandoffCode


@pytest.mark.asyncio
class TokenHandoffContract:
    """Tests every `TokenHandoff` must pass. Provide `handoff` (an empty store),
    `advance(seconds)` (time passing for it; may be async) and `raw_store()` (every key and
    raw value it holds, read out of band; may be async)::

        class TestRedisTokenHandoff(TokenHandoffContract):
            @pytest.fixture
            def handoff(self, redis_url, redis_prefix):
                return RedisTokenHandoff(redis_url, prefix=redis_prefix)

            @pytest.fixture
            def advance(self):
                return asyncio.sleep

            @pytest.fixture
            def raw_store(self, raw_redis, redis_prefix):
                async def read():
                    return {k: await raw_redis.get(k) async for k in raw_redis.scan_iter(f"{redis_prefix}*")}
                return read
    """

    @pytest.fixture
    def handoff(self) -> TokenHandoff:
        return abstract("handoff", "TokenHandoffContract")  # type: ignore[no-any-return]

    @pytest.fixture
    def advance(self) -> Advance:
        return abstract("advance", "TokenHandoffContract")  # type: ignore[no-any-return]

    @pytest.fixture
    def raw_store(self) -> RawValues:
        return abstract("raw_store", "TokenHandoffContract")  # type: ignore[no-any-return]

    async def test_the_raw_store_yields_neither_the_code_nor_a_usable_token(
        self, handoff: TokenHandoff, raw_store: RawValues
    ) -> None:
        cipher = AeadHandoffCipher()
        token = "eyJhbGciOiJFZERTQSJ9.live-bearer-token.signature"
        code = await IssueHandoffCode(handoff, cipher, RandomIds())(token)
        stored = await raw_values(raw_store)
        assert len(stored) == 1
        dump = " ".join(f"{key} {value}" for key, value in stored.items())
        assert code not in dump
        assert token not in dump and "eyJ" not in dump and "live-bearer-token" not in dump
        (value,) = stored.values()
        assert cipher.open("a-guessed-code", value) is None  # only the code opens it
        assert await RedeemHandoffCode(handoff, cipher)(code) == token

    async def test_a_token_is_taken_once(self, handoff: TokenHandoff) -> None:
        await handoff.put("k-once", "eyJ.token.value", timedelta(seconds=60))
        assert await handoff.take("k-once") == "eyJ.token.value"
        assert await handoff.take("k-once") is None

    async def test_an_unknown_key_gives_none(self, handoff: TokenHandoff) -> None:
        assert await handoff.take("k-never-put") is None

    async def test_a_token_expires(self, handoff: TokenHandoff, advance: Advance) -> None:
        await handoff.put("k-expiring", "t", timedelta(seconds=1))
        await elapse(advance, 1.2)
        assert await handoff.take("k-expiring") is None

    async def test_of_concurrent_takers_exactly_one_gets_the_token(self, handoff: TokenHandoff) -> None:
        await handoff.put("k-raced", "t", timedelta(seconds=60))
        taken = await asyncio.gather(*(handoff.take("k-raced") for _ in range(10)))
        assert taken.count("t") == 1 and taken.count(None) == 9
