from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta, timezone

import pytest
from redis.asyncio import Redis

from adapters.redis import RedisFlowStore
from core.identity import LoginFlow

pytestmark = pytest.mark.redis


def a_flow(state: str = "state-abc") -> LoginFlow:
    return LoginFlow(
        state=state,
        authority="b2c",
        protocol={"state": state, "nonce": "n-1", "code_verifier": "v" * 43, "scope": ["openid"]},
        binding_hash="sha256-of-cookie",
        created_at=datetime(2025, 3, 1, 12, 30, 5, 123456, tzinfo=timezone(timedelta(hours=2))),
        frontend_origin="https://app.example.com",
        return_path="/workspace/7/home",
        password_reset=True,
    )


async def test_every_field_survives_a_round_trip(redis_flow_store: RedisFlowStore) -> None:
    flow = a_flow()
    await redis_flow_store.put(flow, timedelta(minutes=10))
    assert await redis_flow_store.take(flow.state) == flow


async def test_a_flow_is_taken_once(redis_flow_store: RedisFlowStore) -> None:
    await redis_flow_store.put(a_flow(), timedelta(minutes=10))
    assert await redis_flow_store.take("state-abc") is not None
    assert await redis_flow_store.take("state-abc") is None


async def test_unknown_state_gives_none(redis_flow_store: RedisFlowStore) -> None:
    assert await redis_flow_store.take("never-stored") is None


async def test_ten_parallel_takes_of_one_flow_have_exactly_one_winner(
    redis_flow_store: RedisFlowStore,
) -> None:
    await redis_flow_store.put(a_flow(), timedelta(minutes=10))
    results = await asyncio.gather(*(redis_flow_store.take("state-abc") for _ in range(10)))
    assert sum(result is not None for result in results) == 1


async def test_the_stored_value_is_json_under_the_prefix_with_a_ttl(
    redis_flow_store: RedisFlowStore, raw_redis: Redis, redis_prefix: str
) -> None:
    await redis_flow_store.put(a_flow(), timedelta(minutes=10))
    keys = [key async for key in raw_redis.scan_iter(match=f"{redis_prefix}*")]
    assert keys == [f"{redis_prefix}flow:state-abc".encode()]
    stored = json.loads(await raw_redis.get(keys[0]))
    assert stored["binding_hash"] == "sha256-of-cookie"
    assert stored["created_at"] == "2025-03-01T10:30:05.123456+00:00"
    assert stored["protocol"]["nonce"] == "n-1"
    assert 0 < await raw_redis.pttl(keys[0]) <= 600_000


async def test_a_flow_is_gone_after_its_ttl(redis_flow_store: RedisFlowStore) -> None:
    await redis_flow_store.put(a_flow(), timedelta(milliseconds=50))
    await asyncio.sleep(0.15)
    assert await redis_flow_store.take("state-abc") is None


@pytest.mark.parametrize(
    "value",
    [b"not json", b"[]", b'{"v": 99}', b'{"v": 1, "state": 5}', b"\x80\x04\x95pickle"],
)
async def test_a_corrupt_value_counts_as_missing_and_is_not_logged(
    redis_flow_store: RedisFlowStore,
    raw_redis: Redis,
    redis_prefix: str,
    caplog: pytest.LogCaptureFixture,
    value: bytes,
) -> None:
    await raw_redis.set(f"{redis_prefix}flow:state-bad", value, px=60_000)
    with caplog.at_level(logging.DEBUG):
        assert await redis_flow_store.take("state-bad") is None
    assert "state-bad" not in caplog.text
    assert value.decode(errors="replace") not in caplog.text


async def test_a_naive_created_at_is_refused(redis_flow_store: RedisFlowStore) -> None:
    naive = LoginFlow(
        state="s", authority="aad", protocol={}, binding_hash="h",
        created_at=datetime.now(UTC).replace(tzinfo=None),
    )
    with pytest.raises(ValueError):
        await redis_flow_store.put(naive, timedelta(minutes=1))
