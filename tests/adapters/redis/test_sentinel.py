"""The Redis adapters behind Sentinel (one master, one replica, one sentinel of this module's
own): the same contracts as on one server, and the stores and the revocation feed working
again, on the same connector, after the master is killed and the sentinel promotes the
replica."""
from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from adapters.redis import RedisConnector, RedisFlowStore, RedisSessionCache
from adapters.redis.revocations import RedisRevocationFeed
from core.errors import SignInError
from core.identity import LoginFlow
from core.ports.revocations import Revocation
from core.ports.sessions import CachedSession
from tests.adapters.redis.feeds import publish_until_heard
from tests.adapters.redis.test_contracts import (
    TestRedisFlowStore,
    TestRedisRevocationFeed,
    TestRedisSessionCache,
    TestRedisTokenHandoff,
)
from tests.reliability.redis_topologies import RedisWithSentinel

pytestmark = [pytest.mark.redis, pytest.mark.slow]


def _flow(state: str) -> LoginFlow:
    return LoginFlow(state=state, authority="aad", protocol={"nonce": "n"}, binding_hash="h",
                     created_at=datetime.now(UTC))


@pytest.fixture(scope="module")
def sentinel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisWithSentinel]:
    folder = tmp_path_factory.mktemp("redis-sentinel")
    nodes = RedisWithSentinel(folder)
    try:
        yield nodes.start()
    finally:
        nodes.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def redis_url(sentinel: RedisWithSentinel) -> str:
    return sentinel.url


@pytest.fixture
async def raw_redis(sentinel: RedisWithSentinel, redis_prefix: str) -> AsyncIterator[Redis]:
    client = Redis(host="127.0.0.1", port=sentinel.current_master(), socket_timeout=2.0)
    yield client
    keys = [key async for key in client.scan_iter(match=f"{redis_prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


class TestSentinelFlowStore(TestRedisFlowStore):
    pass


class TestSentinelSessionCache(TestRedisSessionCache):
    pass


class TestSentinelTokenHandoff(TestRedisTokenHandoff):
    pass


class TestSentinelRevocationFeed(TestRedisRevocationFeed):
    pass


del TestRedisFlowStore, TestRedisSessionCache, TestRedisTokenHandoff, TestRedisRevocationFeed


async def test_the_connector_writes_to_the_master_the_sentinel_names(
    connector: RedisConnector, redis_prefix: str, sentinel: RedisWithSentinel
) -> None:
    assert await connector.ping() is True
    cache = RedisSessionCache(connector, prefix=redis_prefix)
    entry = CachedSession("s1", "u", datetime.now(UTC) + timedelta(hours=1))
    await cache.put(entry, timedelta(minutes=1))
    master = Redis(host="127.0.0.1", port=sentinel.current_master())
    assert await master.exists(f"{redis_prefix}session:s1") == 1
    await master.aclose()


async def test_a_listener_on_a_master_that_hangs_moves_to_the_promoted_replica(
    sentinel: RedisWithSentinel, redis_prefix: str
) -> None:
    connector = RedisConnector(sentinel.url, socket_timeout=0.5, socket_connect_timeout=0.5)
    publisher = RedisRevocationFeed(connector, prefix=redis_prefix)
    listener = RedisRevocationFeed(connector, prefix=redis_prefix, poll=0.1, retry=0.2, probe=0.5)
    heard: list[Revocation] = []
    task = asyncio.create_task(listener.listen(heard.append))
    hung = sentinel.current_master()
    try:
        await publish_until_heard(publisher, heard, Revocation(("before",)))
        await asyncio.to_thread(sentinel.fail_over, hang=True)
        await publish_until_heard(publisher, heard, Revocation(("after",)),
                                  what="the listener stayed on the hung master")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await connector.close()
        if hung in sentinel.paused:
            await asyncio.to_thread(sentinel.rejoin, hung)  # whole again for the next test


async def test_after_the_master_is_killed_the_stores_and_the_feed_follow_the_promoted_replica(
    sentinel: RedisWithSentinel, redis_prefix: str
) -> None:
    connector = RedisConnector(sentinel.url, socket_timeout=0.5, socket_connect_timeout=0.5)
    flows = RedisFlowStore(connector, prefix=redis_prefix)
    publisher = RedisRevocationFeed(connector, prefix=redis_prefix, poll=0.1, retry=0.2)
    listener = RedisRevocationFeed(connector, prefix=redis_prefix, poll=0.1, retry=0.2)
    heard: list[Revocation] = []
    task = asyncio.create_task(listener.listen(heard.append))
    try:
        await flows.put(_flow("before"), timedelta(minutes=1))
        await publish_until_heard(publisher, heard, Revocation(("before",)))
        promoted_port = await asyncio.to_thread(sentinel.fail_over)

        after = _flow("after")
        started = time.monotonic()
        while True:
            try:
                await flows.put(after, timedelta(minutes=1))
                break
            except SignInError:
                assert time.monotonic() - started < 10, "the flow store never recovered"
                await asyncio.sleep(0.1)
        assert await flows.take("after") == after
        promoted = Redis(host="127.0.0.1", port=promoted_port)
        await flows.put(after, timedelta(minutes=1))
        assert await promoted.exists(f"{redis_prefix}flow:after") == 1  # written where it should be
        await promoted.aclose()
        assert await connector.ping() is True

        await publish_until_heard(publisher, heard, Revocation(("after",)),
                                  what="the listener never subscribed again")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await connector.close()
