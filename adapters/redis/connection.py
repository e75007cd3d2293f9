"""Building redis-py asyncio clients, and turning their failures into domain errors.

One server, a Redis Cluster or a Sentinel-monitored master, by the URL's form
(`adapters.redis.urls`); the stores see a `Client` either way. Every key the stores use is
touched by single-key commands only (SET, GET, GETDEL, DEL), so no command ever spans two
hash slots; the revocation feed uses sharded pub/sub on a cluster (`revocations.py`).

A `redis.asyncio.Redis` belongs to the event loop it first connected on. Litestar's test
clients (and some servers) run the app on another loop than the one that built the
container, so `RedisConnector` is cheap to construct and makes one client per running loop,
on first use.
"""
from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from adapters.redis.urls import RedisTarget, parse_redis_url
from core.errors import ErrorCode, SignInError

log = logging.getLogger(__name__)

Client = Redis | RedisCluster
"""A client of one server or of a Sentinel-managed master (`Redis`), or of a cluster."""

ClientSource = Client | Callable[[], Client] | str
"""What the stores accept: a client, a zero-argument callable (a `RedisConnector`), or a
URL (a `RedisConnector` with the default timeouts is made for it)."""


class RedisConnector:
    """Makes redis-py asyncio clients from a URL (one server, cluster or sentinel), with
    bounded waits.

    `socket_connect_timeout` and `socket_timeout` (seconds) bound each connection attempt and
    each reply; `retries` bounds how often a connection or timeout error is retried (with a
    short capped backoff). redis-py retries the whole command, connection handshake
    included, so a hung server multiplies the waits (one timeout per attempt and per
    handshake step); `deadline` therefore caps one whole store operation, retries included,
    and defaults to the longer of the two socket timeouts: a timeout setting bounds the
    operation, not each attempt. Retries still help where they are quick (a pooled
    connection Redis closed on restart fails at once and is retried on a fresh one).
    Calling the connector returns the client of the running event loop, creating it if
    needed.
    """

    def __init__(
        self,
        url: str,
        *,
        socket_timeout: float = 1.0,
        socket_connect_timeout: float = 1.0,
        retries: int = 1,
        health_check_interval: int = 15,
        max_connections: int | None = 50,
        deadline: float | None = None,
    ) -> None:
        if socket_timeout <= 0 or socket_connect_timeout <= 0:
            raise ValueError("Redis socket timeouts must be positive")
        if deadline is not None and deadline <= 0:
            raise ValueError("Redis deadline must be positive")
        if retries < 0:
            raise ValueError("Redis retries must be >= 0")
        self.target: RedisTarget = parse_redis_url(url)
        self._url = url
        self._socket_timeout = socket_timeout
        self._socket_connect_timeout = socket_connect_timeout
        self._retries = retries
        self._health_check_interval = health_check_interval
        self._max_connections = max_connections
        self.deadline = deadline if deadline is not None else max(socket_timeout, socket_connect_timeout)
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Client] = (
            weakref.WeakKeyDictionary()
        )
        self._sentinels: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Sentinel] = (
            weakref.WeakKeyDictionary()
        )

    def __call__(self) -> Client:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._new_client()
            self._clients[loop] = client
        return client

    def _retry(self) -> Retry:
        return Retry(
            ExponentialBackoff(cap=0.25, base=0.05),
            self._retries,
            # OSError too: a socket can fail before redis-py wraps it (typed too narrowly)
            supported_errors=(RedisConnectionError, RedisTimeoutError, OSError),  # type: ignore[arg-type]
        )

    def _new_client(self) -> Client:
        target = self.target
        if target.mode == "cluster":
            return self._new_cluster(target)
        if target.mode == "sentinel":
            return self._new_sentinel_master(target)
        return Redis.from_url(
            self._url,
            socket_timeout=self._socket_timeout,
            socket_connect_timeout=self._socket_connect_timeout,
            retry=self._retry(),
            health_check_interval=self._health_check_interval,
            max_connections=self._max_connections,
            decode_responses=False,
        )

    def _new_cluster(self, target: RedisTarget) -> RedisCluster:
        # The seeds only start the discovery: the client reads the slot map from the cluster
        # and reads it again after a connection error or a MOVED (a failover). Without full
        # coverage required, keys on the shards still up keep working while one fails over.
        return RedisCluster(
            startup_nodes=[ClusterNode(host, port) for host, port in target.nodes],
            username=target.username,
            password=target.password,
            ssl=target.tls,
            require_full_coverage=False,
            socket_timeout=self._socket_timeout,
            socket_connect_timeout=self._socket_connect_timeout,
            retry=self._retry(),
            health_check_interval=self._health_check_interval,
            max_connections=self._max_connections or 50,
            decode_responses=False,
        )

    def _new_sentinel_master(self, target: RedisTarget) -> Redis:
        # Each new connection asks the sentinels where the master is now, so after a
        # failover the pool's next connection goes to the promoted replica.
        sentinel_kwargs: dict[str, Any] = {
            "socket_timeout": self._socket_timeout,
            "socket_connect_timeout": self._socket_connect_timeout,
        }
        if target.sentinel_auth:
            sentinel_kwargs.update(username=target.username, password=target.password)
        # redis-py 8.1 leaves Sentinel.__init__ unannotated (redis/asyncio/sentinel.py)
        sentinel = Sentinel(  # type: ignore[no-untyped-call]
            list(target.nodes), sentinel_kwargs=sentinel_kwargs
        )
        self._sentinels[asyncio.get_running_loop()] = sentinel
        master: Redis = sentinel.master_for(
            target.service,
            db=target.db,
            username=target.username,
            password=target.password,
            ssl=target.tls,
            socket_timeout=self._socket_timeout,
            socket_connect_timeout=self._socket_connect_timeout,
            retry=self._retry(),
            health_check_interval=self._health_check_interval,
            max_connections=self._max_connections,
            decode_responses=False,
        )
        return master

    async def ping(self) -> bool:
        """True when Redis answers PING within the deadline; never raises. On a cluster,
        every master the client knows must answer (a replica that is down does not make
        the service unready)."""
        try:
            async with asyncio.timeout(self.deadline):
                client = self()
                if isinstance(client, RedisCluster):
                    return bool(await client.ping(target_nodes=RedisCluster.PRIMARIES))
                return bool(await client.ping())
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("redis ping failed: %s", type(exc).__name__)
            return False

    async def close(self) -> None:
        """Close the client of the running loop (if any); idempotent."""
        loop = asyncio.get_running_loop()
        client = self._clients.pop(loop, None)
        if client is not None:
            await client.aclose()
        sentinel = self._sentinels.pop(loop, None)
        if sentinel is not None:
            for connection in sentinel.sentinels:
                await connection.aclose()


DEFAULT_DEADLINE = 3.0


def as_source(source: ClientSource) -> Client | Callable[[], Client]:
    return RedisConnector(source) if isinstance(source, str) else source


def resolve(
    source: Client | Callable[[], Client], deadline: float | None
) -> tuple[Callable[[], Client], float]:
    """The client getter and the per-operation deadline for a store built on `source`."""
    if deadline is None:
        deadline = source.deadline if isinstance(source, RedisConnector) else DEFAULT_DEADLINE
    if isinstance(source, Redis | RedisCluster):
        return (lambda: source), deadline
    return source, deadline


async def close_source(source: Client | Callable[[], Client]) -> None:
    if isinstance(source, Redis | RedisCluster):
        await source.aclose()
    elif isinstance(source, RedisConnector):
        await source.close()


@asynccontextmanager
async def unavailable_on_failure(what: str, deadline: float) -> AsyncIterator[None]:
    """Map any Redis failure inside the block, or its taking longer than `deadline` seconds,
    to `SignInError(temporarily_unavailable)`.

    Only the exception's type is logged and raised: redis-py messages can echo arguments,
    and the arguments here carry states and session ids.
    """
    try:
        async with asyncio.timeout(deadline):
            yield
    except (RedisError, OSError, TimeoutError) as exc:
        log.warning("redis %s failed: %s", what, type(exc).__name__)
        raise SignInError(
            ErrorCode.TEMPORARILY_UNAVAILABLE, f"{what} unavailable ({type(exc).__name__})"
        ) from None
