"""The revocation feed on Redis pub/sub: one channel, small JSON messages.

On one server or a Sentinel-managed master it is classic pub/sub (PUBLISH / SUBSCRIBE). On
a Redis Cluster it is sharded pub/sub (SPUBLISH / SSUBSCRIBE, Redis 7): the channel hashes to
one slot, its messages stay in that slot's shard (master and replicas) instead of being
broadcast over the whole cluster bus, and a subscriber listens on the shard's master. When
that master fails, or hands its slots over (the server then sends SUNSUBSCRIBE), the feed
reads the slot map again and subscribes on the new owner; a message published during the
gap is lost, which costs nothing but a delay (the port's guarantee is the database's).
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterPubSub, RedisCluster
from redis.exceptions import RedisError

from adapters.redis.connection import ClientSource, as_source, resolve, unavailable_on_failure
from core.ports.revocations import Revocation

log = logging.getLogger(__name__)
_FORMAT = 1


class _Moved(RedisError):
    """The shard stopped serving our channel (SUNSUBSCRIBE from the server): subscribe again."""


class _Silent(RedisError):
    """The subscribed server did not answer a PING in time (hung, or cut off): subscribe again."""


_PROBE = b"signin-feed-probe"


class _Probe:
    """A PING on the subscribed connection every `every` seconds; its PONG must come back
    within `within` seconds. Without it a subscriber whose server hangs, or is cut off by
    the network while a replica is promoted, would wait on it forever, hearing nothing."""

    def __init__(self, every: float, within: float) -> None:
        self.every, self.within = every, within
        self.sent_at: float | None = None
        self.answered_at = time.monotonic()

    def due(self) -> bool:
        return self.sent_at is None and time.monotonic() - self.answered_at >= self.every

    def sent(self) -> None:
        self.sent_at = time.monotonic()

    def heard(self, message: dict[str, Any]) -> bool:
        """True (and the probe answered) when `message` is our PONG."""
        if message.get("type") != "pong" or message.get("data") != _PROBE:
            return False
        self.sent_at, self.answered_at = None, time.monotonic()
        return True

    def check(self) -> None:
        if self.sent_at is not None and time.monotonic() - self.sent_at > self.within:
            raise _Silent("no answer to the probe")


class RedisRevocationFeed:
    """`core.ports.RevocationFeed` over the channel `{prefix}revocations`.

    Pub/sub keeps nothing: a snapshot, a flush or a restart of Redis holds no message that
    could be replayed, and a message only ever makes a process forget (see the port).
    `listen` waits for messages at most `poll` seconds at a time, checks every `probe`
    seconds that the server it listens on still answers, and subscribes again (on the
    current master or shard owner) after `retry` seconds when Redis fails.
    """

    def __init__(
        self, client: ClientSource, prefix: str = "signin:", *, deadline: float | None = None,
        poll: float = 1.0, retry: float = 0.5, probe: float = 5.0,
    ) -> None:
        self._client, self._deadline = resolve(as_source(client), deadline)
        self.channel = f"{prefix}revocations"
        self._poll = poll
        self._retry = retry
        self._probe = probe

    async def publish(self, revocation: Revocation) -> None:
        message = json.dumps({"v": _FORMAT, "sessions": list(revocation.session_ids),
                              "user": revocation.user_id}, separators=(",", ":"))
        async with unavailable_on_failure("revocation feed", self._deadline):
            client = self._client()
            if isinstance(client, RedisCluster):
                await client.spublish(self.channel, message)
            else:
                await client.publish(self.channel, message)

    async def listen(self, on_revocation: Callable[[Revocation], None]) -> None:
        while True:
            client = self._client()
            try:
                if isinstance(client, RedisCluster):
                    await self._listen_sharded(client, on_revocation)
                else:
                    await self._listen_plain(client, on_revocation)
            except (RedisError, OSError, TimeoutError) as exc:
                log.warning("revocation feed interrupted: %s", type(exc).__name__)
            await asyncio.sleep(self._retry)

    def _new_probe(self) -> _Probe:
        return _Probe(self._probe, self._deadline + self._poll)

    async def _listen_plain(self, client: Redis, on_revocation: Callable[[Revocation], None]) -> None:
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        probe = self._new_probe()
        try:
            async with asyncio.timeout(self._deadline):
                await pubsub.subscribe(self.channel)
            while True:
                if probe.due():
                    async with asyncio.timeout(self._deadline):
                        await pubsub.ping(_PROBE)
                    probe.sent()
                message = await pubsub.get_message(timeout=self._poll)
                if message is not None and not probe.heard(message) and message.get("type") == "message":
                    _deliver(message.get("data"), on_revocation)
                probe.check()
        finally:
            with contextlib.suppress(RedisError, OSError):
                # PubSub.aclose is unannotated in redis-py 8.1 (redis/asyncio/client.py)
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _listen_sharded(
        self, client: RedisCluster, on_revocation: Callable[[Revocation], None]
    ) -> None:
        pubsub: ClusterPubSub = client.pubsub()
        probe = self._new_probe()
        try:
            async with asyncio.timeout(self._deadline):
                await client.initialize()  # no-op once done; the whole client's set-up
                # the slot map as the cluster sees it now: after a failover the cached one
                # may still name the dead master
                await client.nodes_manager.initialize()
                await pubsub.ssubscribe(self.channel)
            while True:
                if not pubsub.node_pubsub_mapping:  # nothing to read from: subscribe again
                    raise _Moved("no shard subscription")
                if probe.due():
                    async with asyncio.timeout(self._deadline):
                        for shard in list(pubsub.node_pubsub_mapping.values()):
                            await shard.ping(_PROBE)
                    probe.sent()
                message = await pubsub.get_sharded_message(timeout=self._poll)
                if message is not None and not probe.heard(message):
                    kind = message.get("type")
                    if kind == "smessage":
                        _deliver(message.get("data"), on_revocation)
                    elif kind == "sunsubscribe":
                        raise _Moved("the shard gave up the channel")
                probe.check()
        finally:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()


def _deliver(raw: Any, on_revocation: Callable[[Revocation], None]) -> None:
    revocation = _parse(raw)
    if revocation is not None:
        on_revocation(revocation)


def _parse(raw: Any) -> Revocation | None:
    try:
        data = json.loads(raw)
        sessions, user = data["sessions"], data["user"]
        if data.get("v") != _FORMAT or not isinstance(sessions, list):
            raise ValueError("format")
        if not all(isinstance(s, str) for s in sessions) or not isinstance(user, str | None):
            raise TypeError("types")
        return Revocation(tuple(sessions), user)
    except (ValueError, TypeError, KeyError):
        log.warning("ignored an unreadable revocation message")
        return None
