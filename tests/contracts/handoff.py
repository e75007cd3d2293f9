"""The contract of `core.ports.handoff.TokenHandoff`."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core.ports.handoff import TokenHandoff
from tests.contracts._support import Advance, abstract, elapse


@pytest.mark.asyncio
class TokenHandoffContract:
    """Tests every `TokenHandoff` must pass. Provide `handoff` (an empty store) and
    `advance(seconds)` (time passing for it; may be async)::

        class TestRedisTokenHandoff(TokenHandoffContract):
            @pytest.fixture
            def handoff(self, redis_url, redis_prefix):
                return RedisTokenHandoff(redis_url, prefix=redis_prefix)

            @pytest.fixture
            def advance(self):
                return asyncio.sleep
    """

    @pytest.fixture
    def handoff(self) -> TokenHandoff:
        return abstract("handoff", "TokenHandoffContract")  # type: ignore[no-any-return]

    @pytest.fixture
    def advance(self) -> Advance:
        return abstract("advance", "TokenHandoffContract")  # type: ignore[no-any-return]

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
