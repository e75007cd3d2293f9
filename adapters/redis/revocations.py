"""The revocation feed on Redis pub/sub: one channel, small JSON messages."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from redis.exceptions import RedisError

from adapters.redis.connection import ClientSource, as_source, resolve, unavailable_on_failure
from core.ports.revocations import Revocation

log = logging.getLogger(__name__)
_FORMAT = 1


class RedisRevocationFeed:
    """`core.ports.RevocationFeed` over the channel `{prefix}revocations`.

    Pub/sub keeps nothing: a snapshot, a flush or a restart of Redis holds no message that
    could be replayed, and a message only ever makes a process forget (see the port).
    `listen` waits for messages at most `poll` seconds at a time and reconnects after
    `retry` seconds when Redis fails.
    """

    def __init__(
        self, client: ClientSource, prefix: str = "signin:", *, deadline: float | None = None,
        poll: float = 1.0, retry: float = 0.5,
    ) -> None:
        self._client, self._deadline = resolve(as_source(client), deadline)
        self.channel = f"{prefix}revocations"
        self._poll = poll
        self._retry = retry

    async def publish(self, revocation: Revocation) -> None:
        message = json.dumps({"v": _FORMAT, "sessions": list(revocation.session_ids),
                              "user": revocation.user_id}, separators=(",", ":"))
        async with unavailable_on_failure("revocation feed", self._deadline):
            await self._client().publish(self.channel, message)

    async def listen(self, on_revocation: Callable[[Revocation], None]) -> None:
        while True:
            pubsub = self._client().pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                while True:
                    message = await pubsub.get_message(timeout=self._poll)
                    if message is not None and message.get("type") == "message":
                        revocation = _parse(message.get("data"))
                        if revocation is not None:
                            on_revocation(revocation)
            except (RedisError, OSError, TimeoutError) as exc:
                log.warning("revocation feed interrupted: %s", type(exc).__name__)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    # PubSub.aclose has no annotations in redis-py 8.1 (redis/asyncio/client.py;
                    # its typed aliases close/reset are deprecated): it returns None.
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(self._retry)


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
