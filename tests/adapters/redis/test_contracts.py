from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from adapters.contracts.flow_store import FlowStoreContract
from adapters.contracts.handoff import TokenHandoffContract
from adapters.contracts.revocation_feed import RevocationFeedContract
from adapters.contracts.session_cache import SessionCacheContract
from adapters.redis import RedisConnector, RedisFlowStore, RedisSessionCache
from adapters.redis.handoff import RedisTokenHandoff
from adapters.redis.revocations import RedisRevocationFeed

pytestmark = pytest.mark.redis


class TestRedisFlowStore(FlowStoreContract):
    @pytest.fixture
    def flow_store(
        self, connector: RedisConnector, redis_prefix: str, raw_redis: Redis
    ) -> RedisFlowStore:
        return RedisFlowStore(connector, prefix=redis_prefix)

    @pytest.fixture
    def advance(self):
        return asyncio.sleep  # Redis expires keys by its own clock: real time must pass


class TestRedisSessionCache(SessionCacheContract):
    @pytest.fixture
    def session_cache(
        self, connector: RedisConnector, redis_prefix: str, raw_redis: Redis
    ) -> RedisSessionCache:
        return RedisSessionCache(connector, prefix=redis_prefix)

    @pytest.fixture
    def advance(self):
        return asyncio.sleep


class TestRedisTokenHandoff(TokenHandoffContract):
    @pytest.fixture
    def handoff(self, connector: RedisConnector, redis_prefix: str, raw_redis: Redis) -> RedisTokenHandoff:
        return RedisTokenHandoff(connector, prefix=redis_prefix)

    @pytest.fixture
    def advance(self):
        return asyncio.sleep

    @pytest.fixture
    def raw_store(self, raw_redis: Redis, redis_prefix: str):
        async def read() -> dict[bytes, bytes | None]:
            keys = [key async for key in raw_redis.scan_iter(match=f"{redis_prefix}*")]
            return {key: await raw_redis.get(key) for key in keys}

        return read

class TestRedisRevocationFeed(RevocationFeedContract):
    @pytest.fixture
    def feeds(self, connector: RedisConnector, redis_prefix: str):
        # several feeds on one channel (the test's own prefix), as several processes have
        return lambda: RedisRevocationFeed(connector, prefix=redis_prefix, poll=0.1)
