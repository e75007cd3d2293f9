from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from adapters.redis import RedisConnector, RedisFlowStore, RedisSessionCache


@pytest.fixture
async def raw_redis(redis_url: str, redis_prefix: str) -> AsyncIterator[Redis]:
    """An out-of-band client for inspecting what was really stored; it removes every key of
    this test's prefix afterwards."""
    client = Redis.from_url(redis_url, socket_timeout=2.0, socket_connect_timeout=2.0)
    yield client
    keys = [key async for key in client.scan_iter(match=f"{redis_prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
async def connector(redis_url: str, raw_redis: Redis) -> AsyncIterator[RedisConnector]:
    connector = RedisConnector(redis_url, socket_timeout=1.0, socket_connect_timeout=1.0)
    yield connector
    await connector.close()


@pytest.fixture
def redis_flow_store(connector: RedisConnector, redis_prefix: str) -> RedisFlowStore:
    return RedisFlowStore(connector, prefix=redis_prefix)


@pytest.fixture
def redis_session_cache(connector: RedisConnector, redis_prefix: str) -> RedisSessionCache:
    return RedisSessionCache(connector, prefix=redis_prefix)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def down_redis_url() -> str:
    """A Redis URL where nothing listens: connections are refused."""
    return f"redis://127.0.0.1:{_closed_port()}/0"


@pytest.fixture
def silent_redis_url() -> Iterator[str]:
    """A Redis URL whose server accepts connections and never answers (a hung Redis)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                accepted.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    server.close()
