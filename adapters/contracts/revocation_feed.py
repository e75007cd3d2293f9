"""The contract of `core.ports.RevocationFeed`: what one publishes, every listener hears."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import pytest

from adapters.contracts._support import abstract
from core.ports.revocations import Revocation, RevocationFeed

_WARM_UP = Revocation(("contract-warm-up",))


async def _heard(received: list[Revocation], count: int) -> None:
    async with asyncio.timeout(5):
        while len(received) < count:  # noqa: ASYNC110 - the listener only appends to a list
            await asyncio.sleep(0.01)


@pytest.mark.asyncio
class RevocationFeedContract:
    """Provide `feeds`: a callable returning a new feed on the same channel each time (two
    of them stand for two processes)."""

    @pytest.fixture
    def feeds(self) -> Callable[[], RevocationFeed]:
        return abstract("feeds", "RevocationFeedContract")  # type: ignore[no-any-return]

    async def _listening(
        self, feed: RevocationFeed, received: list[Revocation], publisher: RevocationFeed
    ) -> asyncio.Task[None]:
        """`feed` listening into `received`, once it has heard a warm-up message: a feed may
        keep nothing for a listener not yet subscribed (pub/sub), and how long subscribing
        takes is the machine's business, not a fixed sleep's."""
        ready = asyncio.Event()

        def on_revocation(revocation: Revocation) -> None:
            if revocation == _WARM_UP:
                ready.set()
            else:
                received.append(revocation)

        task = asyncio.create_task(feed.listen(on_revocation))
        async with asyncio.timeout(5):
            while not ready.is_set():
                await publisher.publish(_WARM_UP)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.05):
                        await ready.wait()
        return task

    async def test_every_listener_hears_what_is_published(self, feeds: Callable[[], RevocationFeed]) -> None:
        publisher, first, second = feeds(), feeds(), feeds()
        heard_first: list[Revocation] = []
        heard_second: list[Revocation] = []
        tasks = [await self._listening(first, heard_first, publisher),
                 await self._listening(second, heard_second, publisher)]
        try:
            await publisher.publish(Revocation(("s1", "s2")))
            await publisher.publish(Revocation((), "u1"))
            await _heard(heard_first, 2)
            await _heard(heard_second, 2)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        assert heard_first == heard_second == [Revocation(("s1", "s2")), Revocation((), "u1")]

    async def test_a_cancelled_listener_hears_nothing_more(self, feeds: Callable[[], RevocationFeed]) -> None:
        feed = feeds()
        received: list[Revocation] = []
        task = await self._listening(feed, received, feeds())
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await feeds().publish(Revocation(("s1",)))
        await asyncio.sleep(0.2)
        assert received == []
