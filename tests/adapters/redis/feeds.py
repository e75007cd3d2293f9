"""Waiting for a revocation feed's listener to hear something, on a real Redis topology."""
from __future__ import annotations

import asyncio
import contextlib
import time

from adapters.redis.revocations import RedisRevocationFeed
from core.errors import SignInError
from core.ports.revocations import Revocation


async def publish_until_heard(
    publisher: RedisRevocationFeed, heard: list[Revocation], revocation: Revocation,
    *, within: float = 5.0, what: str = "the listener never heard it",
) -> None:
    """Publish `revocation` every 0.2 s until `heard` holds it. Pub/sub keeps nothing: one
    message sent after a fixed sleep races the listener's (re)subscription, which on a
    loaded host or after a failover takes as long as it takes; a publish refused while the
    topology recovers is tried again."""
    started = time.monotonic()
    while revocation not in heard:
        assert time.monotonic() - started < within, what
        with contextlib.suppress(SignInError):
            await publisher.publish(revocation)
        await asyncio.sleep(0.2)
