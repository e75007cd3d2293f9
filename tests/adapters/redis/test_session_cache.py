from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from adapters.redis import RedisSessionCache
from core.ports.sessions import CachedSession

pytestmark = pytest.mark.redis

ENTRY = CachedSession(
    session_id="sid-1", user_id="user-1", expires_at=datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
)


async def test_an_entry_round_trips(redis_session_cache: RedisSessionCache) -> None:
    await redis_session_cache.put(ENTRY, timedelta(minutes=5))
    assert await redis_session_cache.get("sid-1") == ENTRY


async def test_a_revoked_entry_stays_revoked(redis_session_cache: RedisSessionCache) -> None:
    revoked = CachedSession("sid-2", "user-1", ENTRY.expires_at, revoked=True)
    await redis_session_cache.put(revoked, timedelta(minutes=5))
    assert await redis_session_cache.get("sid-2") == revoked


async def test_delete_forgets_and_deleting_unknown_is_fine(
    redis_session_cache: RedisSessionCache,
) -> None:
    await redis_session_cache.put(ENTRY, timedelta(minutes=5))
    await redis_session_cache.delete("sid-1")
    await redis_session_cache.delete("sid-unknown")
    assert await redis_session_cache.get("sid-1") is None


async def test_stored_as_json_under_the_prefix_with_the_ttl(
    redis_session_cache: RedisSessionCache, raw_redis: Redis, redis_prefix: str
) -> None:
    await redis_session_cache.put(ENTRY, timedelta(minutes=5))
    key = f"{redis_prefix}session:sid-1"
    assert json.loads(await raw_redis.get(key))["user_id"] == "user-1"
    assert 0 < await raw_redis.pttl(key) <= 300_000


async def test_a_tiny_ttl_is_clamped_to_one_second(
    redis_session_cache: RedisSessionCache, raw_redis: Redis, redis_prefix: str
) -> None:
    await redis_session_cache.put(ENTRY, timedelta(milliseconds=1))
    assert 900 < await raw_redis.pttl(f"{redis_prefix}session:sid-1") <= 1000


async def test_a_corrupt_entry_counts_as_missing(
    redis_session_cache: RedisSessionCache, raw_redis: Redis, redis_prefix: str
) -> None:
    await raw_redis.set(f"{redis_prefix}session:sid-x", b'{"v":1,"revoked":"no"}', ex=60)
    assert await redis_session_cache.get("sid-x") is None
