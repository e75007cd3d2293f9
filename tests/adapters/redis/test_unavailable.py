from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from adapters.redis import RedisConnector, RedisFlowStore, RedisSessionCache
from core.errors import ErrorCode, SignInError
from core.identity import LoginFlow
from core.ports.sessions import CachedSession

FLOW = LoginFlow(
    state="secret-state-value", authority="aad", protocol={}, binding_hash="h",
    created_at=datetime.now(UTC),
)
ENTRY = CachedSession("secret-session-id", "u", datetime.now(UTC) + timedelta(hours=1))


def _assert_unavailable(error: pytest.ExceptionInfo[SignInError]) -> None:
    assert error.value.code is ErrorCode.TEMPORARILY_UNAVAILABLE
    assert "secret" not in str(error.value)


async def test_a_redis_that_is_down_is_temporarily_unavailable_quickly(down_redis_url: str) -> None:
    connector = RedisConnector(down_redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
    flows, sessions = RedisFlowStore(connector), RedisSessionCache(connector)
    started = time.monotonic()
    for call in (
        lambda: flows.put(FLOW, timedelta(minutes=1)),
        lambda: flows.take(FLOW.state),
        lambda: sessions.put(ENTRY, timedelta(minutes=1)),
        lambda: sessions.get(ENTRY.session_id),
        lambda: sessions.delete(ENTRY.session_id),
    ):
        with pytest.raises(SignInError) as error:
            await call()
        _assert_unavailable(error)
    assert time.monotonic() - started < 3.0
    assert await connector.ping() is False
    await flows.close()


async def test_a_hung_redis_answers_within_the_timeouts(silent_redis_url: str) -> None:
    connector = RedisConnector(
        silent_redis_url, socket_timeout=0.3, socket_connect_timeout=0.3, retries=1
    )
    flows = RedisFlowStore(connector)
    started = time.monotonic()
    with pytest.raises(SignInError) as error:
        await flows.take(FLOW.state)
    _assert_unavailable(error)
    assert connector.deadline == pytest.approx(0.3)
    assert time.monotonic() - started < connector.deadline + 0.5
    started = time.monotonic()
    assert await connector.ping() is False
    assert time.monotonic() - started < connector.deadline + 0.5
    await flows.close()


@pytest.mark.parametrize("retries", [1, 3])
async def test_a_hung_redis_operation_is_bounded_by_its_timeout_retries_included(
    silent_redis_url: str, retries: int
) -> None:
    # redis-py retries the command and the connection handshake, each waiting a full
    # socket timeout: without an overall bound one operation took about 2.1 s at 1 s
    connector = RedisConnector(
        silent_redis_url, socket_timeout=1.0, socket_connect_timeout=1.0, retries=retries
    )
    flows, sessions = RedisFlowStore(connector), RedisSessionCache(connector)
    for call in (lambda: flows.put(FLOW, timedelta(minutes=1)), lambda: sessions.get(ENTRY.session_id)):
        started = time.monotonic()
        with pytest.raises(SignInError) as error:
            await call()
        _assert_unavailable(error)
        assert time.monotonic() - started < 1.0 + 1.0  # the old default deadline: 3.5 s
    await flows.close()


@pytest.mark.redis
async def test_ping_answers_true_when_redis_is_up(redis_url: str) -> None:
    connector = RedisConnector(redis_url)
    assert await connector.ping() is True
    await connector.close()


async def test_an_explicit_deadline_caps_a_store_operation(silent_redis_url: str) -> None:
    connector = RedisConnector(silent_redis_url, socket_timeout=5.0, socket_connect_timeout=5.0)
    sessions = RedisSessionCache(connector, deadline=0.2)
    started = time.monotonic()
    with pytest.raises(SignInError) as error:
        await sessions.get(ENTRY.session_id)
    _assert_unavailable(error)
    assert time.monotonic() - started < 1.0
    await sessions.close()


@pytest.mark.parametrize(
    "options", [{"socket_timeout": 0}, {"socket_connect_timeout": -1}, {"retries": -1}, {"deadline": 0}]
)
def test_nonsense_timeouts_are_refused(options: dict) -> None:
    with pytest.raises(ValueError):
        RedisConnector("redis://127.0.0.1:6379/0", **options)


@pytest.mark.redis
def test_one_connector_serves_several_event_loops(redis_url: str) -> None:
    # Litestar's test client runs the app on a loop of its own: the same connector must work there
    connector = RedisConnector(redis_url)

    async def ping_and_close() -> bool:
        try:
            return await connector.ping()
        finally:
            await connector.close()

    assert asyncio.run(ping_and_close()) is True
    assert asyncio.run(ping_and_close()) is True


@pytest.mark.redis
async def test_a_store_can_be_given_a_url(redis_url: str, redis_prefix: str) -> None:
    sessions = RedisSessionCache(redis_url, prefix=redis_prefix)
    await sessions.put(ENTRY, timedelta(seconds=5))
    assert await sessions.get(ENTRY.session_id) == ENTRY
    await sessions.delete(ENTRY.session_id)
    await sessions.close()
