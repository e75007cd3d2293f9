"""Redis that survives a node (issue 13, item 7): the service on a real Redis Cluster of
three masters with one replica each, of this module's own. Every sign-in journey runs on
it; two `serve` processes share it, a logout on one is refused on the other within a
second; then the master that serves the revocation channel's slot is killed, its replica
takes over, and sign-in and revocation work again without restarting either process."""
from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterator

import httpx
import pytest
from redis.cluster import key_slot

from adapters.sql.migrate import upgrade
from tests.reliability.redis_topologies import RedisClusterOfSix
from tests.reliability.test_processes import Seen, login
from tests.service_fixtures import make_service, sandbox, service  # noqa: F401
from tests.web import test_journeys
from tests.web.support import create_database, drop_database

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

CHANNEL = "signin:revocations"  # the container's prefix and the feed's channel


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
def redis_url(cluster: RedisClusterOfSix) -> str:  # every service here uses the cluster
    return cluster.url


@pytest.fixture
def backend(postgres_server_url: str, redis_url: str) -> Iterator[dict[str, str]]:
    """The journeys' storage: a fresh PostgreSQL database and the cluster."""
    url = asyncio.run(create_database(postgres_server_url))
    upgrade(url)
    try:
        yield {"SIGNIN_DATABASE_URL": url, "SIGNIN_REDIS_URL": redis_url}
    finally:
        asyncio.run(drop_database(postgres_server_url, url))


# Every journey of tests/web/test_journeys.py, collected here once more, on the cluster.
globals().update({name: test for name, test in vars(test_journeys).items() if name.startswith("test_")})


def verify(base: str, token: str) -> int:
    return httpx.get(f"{base}/auth/verify", headers={"Authorization": f"Bearer {token}"},
                     timeout=10).status_code


def logout_is_refused_on_the_other_within_a_second(first: str, second: str, token: str) -> None:
    assert verify(second, token) == 200  # the other process vouches for the open session
    assert httpx.post(f"{first}/logout", headers={"Authorization": f"Bearer {token}"},
                      timeout=10).status_code == 200
    assert verify(first, token) == 401  # at once where the logout happened
    logged_out = time.monotonic()
    while verify(second, token) == 200:
        assert time.monotonic() - logged_out < 1.0, "the other process still accepts the token after 1 s"
        time.sleep(0.02)


def sign_in_again(first: str, second: str, sandbox_process, within: float) -> str:
    """A sign-in started on one process and finished on the other, retried while the
    cluster settles; the token."""
    started = time.monotonic()
    while True:
        try:
            return login(first, second, sandbox_process, "alice@contoso.com", "aad", Seen())
        except (AssertionError, KeyError):
            assert time.monotonic() - started < within, "sign-in never worked again"
            time.sleep(0.2)


def test_after_a_master_dies_sign_in_and_revocation_work_again_without_a_restart(
    start_service, sandbox_process, cluster: RedisClusterOfSix
):
    first, _ = start_service()
    second, _ = start_service()
    token = login(first, second, sandbox_process, "alice@contoso.com", "aad", Seen())
    logout_is_refused_on_the_other_within_a_second(first, second, token)

    victim = cluster.master_of_slot(key_slot(CHANNEL.encode()))
    promoted = cluster.fail_over(victim)
    assert victim not in cluster.masters() and promoted in cluster.masters()

    # each sign-in writes and takes a flow under a fresh random state, so over several the
    # keys land on every shard, the promoted one included
    tokens = [sign_in_again(first, second, sandbox_process, within=10) for _ in range(4)]
    for token in tokens:
        assert verify(first, token) == verify(second, token) == 200
    # both processes' feeds subscribed again on the channel's new owner (within their retry
    # delay of the cluster settling): a logout on either side is refused on the other
    # within a second
    logout_is_refused_on_the_other_within_a_second(first, second, tokens[0])
    logout_is_refused_on_the_other_within_a_second(second, first, tokens[1])
    assert httpx.get(f"{first}/health/ready", timeout=10).status_code == 200
