"""Building redis-py asyncio clients, and turning their failures into domain errors.

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

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.errors import ErrorCode, SignInError

log = logging.getLogger(__name__)

ClientSource = Redis | Callable[[], Redis] | str
"""What the stores accept: a client, a zero-argument callable (a `RedisConnector`), or a
URL (a `RedisConnector` with the default timeouts is made for it)."""


class RedisConnector:
    """Makes `redis.asyncio.Redis` clients from a URL, with bounded waits.

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
        self._url = url
        self._socket_timeout = socket_timeout
        self._socket_connect_timeout = socket_connect_timeout
        self._retries = retries
        self._health_check_interval = health_check_interval
        self._max_connections = max_connections
        self.deadline = deadline if deadline is not None else max(socket_timeout, socket_connect_timeout)
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Redis] = (
            weakref.WeakKeyDictionary()
        )

    def __call__(self) -> Redis:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._new_client()
            self._clients[loop] = client
        return client

    def _new_client(self) -> Redis:
        return Redis.from_url(
            self._url,
            socket_timeout=self._socket_timeout,
            socket_connect_timeout=self._socket_connect_timeout,
            retry=Retry(
                ExponentialBackoff(cap=0.25, base=0.05),
                self._retries,
                # redis-py 8.1 annotates this tuple[type[RedisError], ...], but its retry
                # loop is a plain `except self._supported_errors` (redis/asyncio/retry.py),
                # so any exception class works; OSError is a socket failing under us.
                supported_errors=(RedisConnectionError, RedisTimeoutError, OSError),  # type: ignore[arg-type]
            ),
            health_check_interval=self._health_check_interval,
            max_connections=self._max_connections,
            decode_responses=False,
        )

    async def ping(self) -> bool:
        """True when Redis answers PING within the deadline; never raises."""
        try:
            async with asyncio.timeout(self.deadline):
                return bool(await self().ping())
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("redis ping failed: %s", type(exc).__name__)
            return False

    async def close(self) -> None:
        """Close the client of the running loop (if any); idempotent."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()


DEFAULT_DEADLINE = 3.0


def as_source(source: ClientSource) -> Redis | Callable[[], Redis]:
    return RedisConnector(source) if isinstance(source, str) else source


def resolve(
    source: Redis | Callable[[], Redis], deadline: float | None
) -> tuple[Callable[[], Redis], float]:
    """The client getter and the per-operation deadline for a store built on `source`."""
    if deadline is None:
        deadline = source.deadline if isinstance(source, RedisConnector) else DEFAULT_DEADLINE
    if isinstance(source, Redis):
        return (lambda: source), deadline
    return source, deadline


async def close_source(source: Redis | Callable[[], Redis]) -> None:
    if isinstance(source, Redis):
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
