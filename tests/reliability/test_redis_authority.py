"""The database stays the authority (issue 12, item 4): after a logout, a Redis that is
flushed, restarted empty or restored from a snapshot taken before the logout never makes
the token valid again, on the processes that saw it nor on fresh ones; with Redis down the
check falls back to the database and never fails open. The Redis here is the test's own."""
from __future__ import annotations

import json
import shutil
import time

import httpx
import pytest

from tests.reliability.redis_server import RedisServer
from tests.reliability.test_processes import Seen, login

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def own_redis(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(own_redis) -> str:  # the service processes use the test's own Redis
    return own_redis.url


def verify(service: str, token: str) -> int:
    answer = httpx.get(f"{service}/auth/verify", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return answer.status_code


def refused_everywhere(services: list[str], token: str) -> None:
    time.sleep(0.6)  # past every process's memory of an open session
    assert [verify(s, token) for s in services] == [401] * len(services)


def test_flush_restart_or_old_snapshot_never_revive_a_logged_out_token(
    start_service, sandbox_process, own_redis
):
    first, _ = start_service()
    second, _ = start_service()
    token = login(first, second, sandbox_process, "alice@contoso.com", "aad", Seen())
    session_id = httpx.get(f"{first}/auth/verify", headers={"Authorization": f"Bearer {token}"},
                           timeout=10).headers["x-auth-request-session"]
    assert verify(first, token) == verify(second, token) == 200
    key = f"signin:session:{session_id}"
    assert json.loads(own_redis.client().get(key))["revoked"] is False
    own_redis.client().save()
    before_logout = own_redis.folder / "before-logout.rdb"
    shutil.copy(own_redis.dump, before_logout)

    assert httpx.post(f"{first}/logout", headers={"Authorization": f"Bearer {token}"},
                      timeout=10).status_code == 200
    assert json.loads(own_redis.client().get(key))["revoked"] is True
    refused_everywhere([first, second], token)

    own_redis.client().flushdb()
    refused_everywhere([first, second, start_service()[0]], token)

    own_redis.stop()
    own_redis.dump.unlink()
    own_redis.start()  # restarted empty
    assert own_redis.client().dbsize() == 0
    refused_everywhere([first, second, start_service()[0]], token)

    own_redis.stop()
    shutil.copy(before_logout, own_redis.dump)
    own_redis.start()  # restored from the snapshot taken before the logout
    assert json.loads(own_redis.client().get(key))["revoked"] is False  # the stale "open" entry
    refused_everywhere([first, second, start_service()[0]], token)


def test_with_redis_down_the_database_decides_and_never_fails_open(
    start_service, sandbox_process, own_redis
):
    first, _ = start_service()
    second, _ = start_service()
    kept = login(first, first, sandbox_process, "alice@contoso.com", "aad", Seen())
    dropped = login(first, first, sandbox_process, "bob@example.org", "b2c", Seen())
    assert verify(second, kept) == verify(second, dropped) == 200
    own_redis.stop()
    assert httpx.post(f"{first}/logout", headers={"Authorization": f"Bearer {dropped}"},
                      timeout=10).status_code == 200
    time.sleep(0.6)
    fresh = start_service()[0]
    for service in (first, second, fresh):
        assert verify(service, kept) == 200  # the database vouches
        assert verify(service, dropped) == 401  # and refuses
