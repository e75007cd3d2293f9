"""Redis behind Sentinel (issue 13, item 7): two `serve` processes on a sentinel URL (one
master, one replica, one sentinel of this module's own). The master is killed, the
sentinel promotes the replica, and sign-in and revocation work again without restarting
either process."""
from __future__ import annotations

import shutil
from collections.abc import Iterator

import httpx
import pytest

from tests.reliability.redis_topologies import RedisWithSentinel
from tests.reliability.test_processes import Seen, login
from tests.reliability.test_redis_cluster import (
    logout_is_refused_on_the_other_within_a_second,
    sign_in_again,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


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


def test_after_the_master_dies_the_service_follows_the_promoted_replica(
    start_service, sandbox_process, sentinel: RedisWithSentinel
):
    first, _ = start_service()
    second, _ = start_service()
    token = login(first, second, sandbox_process, "alice@contoso.com", "aad", Seen())
    logout_is_refused_on_the_other_within_a_second(first, second, token)

    promoted = sentinel.fail_over()
    assert sentinel.current_master() == promoted != sentinel.master

    tokens = [sign_in_again(first, second, sandbox_process, within=10) for _ in range(2)]
    assert sentinel.client(promoted).dbsize() > 0  # the sessions went to the new master
    logout_is_refused_on_the_other_within_a_second(first, second, tokens[0])
    logout_is_refused_on_the_other_within_a_second(second, first, tokens[1])
    assert httpx.get(f"{first}/health/ready", timeout=10).status_code == 200
