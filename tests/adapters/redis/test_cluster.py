"""The Redis adapters on a real Redis Cluster (three masters, one replica each) of this
module's own: the same contracts as on one server, and every store and the revocation feed
still working, on the same connector, after a master is killed and its replica takes over."""
from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.cluster import key_slot

from adapters.redis import RedisConnector, RedisFlowStore, RedisSessionCache
from adapters.redis.handoff import RedisTokenHandoff
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
from tests.reliability.redis_topologies import RedisClusterOfSix

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterOfSix]:
    folder = tmp_path_factory.mktemp("redis-cluster")
    nodes = RedisClusterOfSix(folder)
    try:
        yield nodes.start()
    finally:
        nodes.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def redis_url(cluster: RedisClusterOfSix) -> str:  # the contracts' connector uses the cluster
    return cluster.url


@pytest.fixture
async def raw_redis(cluster: RedisClusterOfSix, redis_prefix: str) -> AsyncIterator[RedisCluster]:
    # seeded with every node: a test may have killed the first one (a master it failed over)
    nodes = [ClusterNode("127.0.0.1", port) for port in cluster.ports]
    client = RedisCluster(startup_nodes=nodes, socket_timeout=2.0)
    yield client
    keys = [key async for key in client.scan_iter(match=f"{redis_prefix}*")]
    for key in keys:
        await client.delete(key)
    await client.aclose()


class TestClusterFlowStore(TestRedisFlowStore):
    pass


class TestClusterSessionCache(TestRedisSessionCache):
    pass


class TestClusterTokenHandoff(TestRedisTokenHandoff):
    pass


class TestClusterRevocationFeed(TestRedisRevocationFeed):
    pass


# the collected copies above run here, on the cluster; not their originals a second time
del TestRedisFlowStore, TestRedisSessionCache, TestRedisTokenHandoff, TestRedisRevocationFeed


async def test_the_connector_makes_a_cluster_client_and_the_keys_spread_over_the_shards(
    connector: RedisConnector, raw_redis: RedisCluster, redis_prefix: str, cluster: RedisClusterOfSix
) -> None:
    assert isinstance(connector(), RedisCluster)
    assert await connector.ping() is True
    cache = RedisSessionCache(connector, prefix=redis_prefix)
    entries = [CachedSession(f"s{i}", "u", datetime.now(UTC) + timedelta(hours=1)) for i in range(24)]
    for entry in entries:
        await cache.put(entry, timedelta(minutes=5))
    masters = cluster.masters()
    owners = {cluster.master_of_slot(key_slot(f"{redis_prefix}session:{e.session_id}".encode()))
              for e in entries}
    assert owners == set(masters)  # a real spread, not one shard by luck of a hash tag
    assert [await cache.get(e.session_id) for e in entries] == entries


def _flow(state: str) -> LoginFlow:
    return LoginFlow(state=state, authority="aad", protocol={"nonce": "n"}, binding_hash="h",
                     created_at=datetime.now(UTC))


async def _eventually(what: str, call: Callable[[], Awaitable[object]], within: float) -> float:
    started = time.monotonic()
    while True:
        try:
            await call()
            return time.monotonic() - started
        except SignInError:
            assert time.monotonic() - started < within, f"{what} never recovered"
            await asyncio.sleep(0.1)


async def test_a_listener_on_a_master_that_hangs_moves_to_the_promoted_replica(
    cluster: RedisClusterOfSix, redis_prefix: str
) -> None:
    # a hung master keeps the subscriber's connection open and says nothing, not even the
    # SUNSUBSCRIBE a live one sends when it hands its slots over: only the probe notices
    connector = RedisConnector(cluster.url, socket_timeout=0.5, socket_connect_timeout=0.5)
    publisher = RedisRevocationFeed(connector, prefix=redis_prefix)
    listener = RedisRevocationFeed(connector, prefix=redis_prefix, poll=0.1, retry=0.2, probe=0.5)
    heard: list[Revocation] = []
    task = asyncio.create_task(listener.listen(heard.append))
    victim = cluster.master_of_slot(key_slot(publisher.channel.encode()))
    try:
        await publish_until_heard(publisher, heard, Revocation(("before",)))
        await asyncio.to_thread(cluster.fail_over, victim, hang=True)
        await publish_until_heard(publisher, heard, Revocation(("after",)),
                                  what="the listener stayed on the hung master")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await connector.close()
        if victim in cluster.paused:
            await asyncio.to_thread(cluster.rejoin, victim)  # whole again for the next test


async def test_after_a_master_is_killed_every_store_and_the_feed_work_again_on_the_same_connector(
    cluster: RedisClusterOfSix, redis_prefix: str, raw_redis: RedisCluster
) -> None:
    connector = RedisConnector(cluster.url, socket_timeout=0.5, socket_connect_timeout=0.5)
    flows = RedisFlowStore(connector, prefix=redis_prefix)
    sessions = RedisSessionCache(connector, prefix=redis_prefix)
    handoff = RedisTokenHandoff(connector, prefix=redis_prefix)
    publisher = RedisRevocationFeed(connector, prefix=redis_prefix, poll=0.1, retry=0.2)
    listener = RedisRevocationFeed(connector, prefix=redis_prefix, poll=0.1, retry=0.2)
    heard: list[Revocation] = []
    task = asyncio.create_task(listener.listen(heard.append))
    try:
        await publish_until_heard(publisher, heard, Revocation(("before",)))
        # the master that serves the feed's channel: the hardest one to lose
        victim = cluster.master_of_slot(key_slot(publisher.channel.encode()))
        await asyncio.to_thread(cluster.fail_over, victim)
        assert victim not in cluster.masters()

        # states hashing to the lost shard and to the others: all work again
        for i in range(12):
            flow = _flow(f"state-{i}")
            await _eventually("flow store", lambda f=flow: flows.put(f, timedelta(minutes=1)), 10)
            assert await flows.take(flow.state) == flow
        entry = CachedSession("after", "u", datetime.now(UTC) + timedelta(hours=1))
        await sessions.put(entry, timedelta(minutes=1))
        assert await sessions.get("after") == entry
        await handoff.put("code-hash", "sealed", timedelta(minutes=1))
        assert await handoff.take("code-hash") == "sealed"
        assert await connector.ping() is True

        # the listener subscribed again on the new owner of the channel's slot
        await publish_until_heard(publisher, heard, Revocation(("after",)),
                                  what="the listener never subscribed again")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await connector.close()


def _state_on(cluster: RedisClusterOfSix, prefix: str, master: int) -> str:
    """A state whose flow key hashes to a slot `master` serves."""
    return next(state for state in (f"state-{i}" for i in range(10_000))
                if cluster.master_of_slot(key_slot(f"{prefix}flow:{state}".encode())) == master)


async def test_a_hung_master_is_bounded_by_the_timeout_and_the_other_shards_keep_working(
    cluster: RedisClusterOfSix, redis_prefix: str, raw_redis: RedisCluster
) -> None:
    connector = RedisConnector(cluster.url, socket_timeout=0.3, socket_connect_timeout=0.3)
    flows = RedisFlowStore(connector, prefix=redis_prefix)
    masters = list(cluster.masters())
    hung, healthy = masters[0], masters[1]
    on_hung, on_healthy = _flow(_state_on(cluster, redis_prefix, hung)), _flow(
        _state_on(cluster, redis_prefix, healthy))
    # the client learns the slot map first, outside the bound under test (discovery is
    # several round trips of pure Python: well over 0.3 s on a slow host under coverage)
    await connector().initialize()
    await flows.put(on_hung, timedelta(minutes=1))
    # resumed within about the 1 s node timeout; on a slow host the others may judge it failed
    # meanwhile (it may have no replica left: the last test killed one), which must not stop
    # the other shards either (cluster-require-full-coverage no)
    cluster.pause(hung)
    try:
        started = time.monotonic()
        with pytest.raises(SignInError) as error:
            await flows.take(on_hung.state)
        assert time.monotonic() - started < connector.deadline + 0.3
        assert "state-" not in str(error.value)
        started = time.monotonic()
        await flows.put(on_healthy, timedelta(minutes=1))  # another shard: unaffected
        assert await flows.take(on_healthy.state) == on_healthy
        assert time.monotonic() - started < connector.deadline
    finally:
        cluster.resume(hung)
    # the hung master answers again: its keys are readable on the same connector
    await _eventually("the resumed shard", lambda: flows.put(on_hung, timedelta(minutes=1)), 10)
    assert await flows.take(on_hung.state) == on_hung
    await connector.close()


async def test_cluster_or_sentinel_seeds_that_never_answer_are_bounded_by_the_timeout(
    silent_redis_url: str,
) -> None:
    address = silent_redis_url.removeprefix("redis://").removesuffix("/0")
    for url in (f"redis+cluster://{address}/", f"redis+sentinel://{address}/signin/0"):
        connector = RedisConnector(url, socket_timeout=0.3, socket_connect_timeout=0.3)
        flows = RedisFlowStore(connector)
        feed = RedisRevocationFeed(connector)
        for call in (lambda: flows.take("state"), lambda: feed.publish(Revocation(("s",)))):
            started = time.monotonic()
            with pytest.raises(SignInError):
                await call()
            assert time.monotonic() - started < connector.deadline + 0.3, url
        started = time.monotonic()
        assert await connector.ping() is False
        assert time.monotonic() - started < connector.deadline + 0.3
        await connector.close()
