"""The adapters' life, owned by the container: `start(container)` and `stop(container)`,
used by the app, the command line and the demo alike (and by the tests' service fixtures).

Each adapter is closed by the code that built it: the container's factories register, on
a `Lifecycle`, how to warm up and how to close what they made. An override (a test's fake)
was built by someone else and is theirs to close; nothing here guesses a method name or
checks an adapter's type.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from entrypoints.container import Container

log = logging.getLogger("azure_signin.lifecycle")
Step = Callable[[], Awaitable[None]]


class Lifecycle:
    """What the container built that needs starting or closing, in the order it was built."""

    def __init__(self) -> None:
        self._checks: list[tuple[str, Step]] = []
        self._warm_ups: list[tuple[str, Step]] = []
        self._closers: list[tuple[str, Step]] = []
        self._background: set[asyncio.Task[None]] = set()
        self.started = False

    def checks(self, name: str, check: Step) -> None:
        """`check` must pass before the service starts (the database's schema)."""
        self._checks.append((name, check))

    def warms_up(self, name: str, warm_up: Step) -> None:
        """`warm_up` runs in the background at start; it may fail (a login retries)."""
        self._warm_ups.append((name, warm_up))

    def closes(self, name: str, close: Step) -> None:
        """`close` runs at stop, after the ones registered later (reverse order)."""
        self._closers.append((name, close))

    def run_in_background(self, job: Awaitable[None]) -> None:
        """A task cancelled at stop (the revocation listener, the sweeper, warm-ups)."""
        task: asyncio.Task[None] = asyncio.ensure_future(job)
        self._background.add(task)  # a reference, so the task is not collected mid-way
        task.add_done_callback(self._background.discard)

    async def start(self, *, warm_up: bool) -> None:
        if self.started:
            return
        for _, check in self._checks:
            await check()
        self.started = True
        if warm_up:
            for name, step in self._warm_ups:
                self.run_in_background(_logged(name, step))

    async def stop(self) -> None:
        tasks = list(self._background)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        closers, self._closers = self._closers, []
        for name, close in reversed(closers):
            try:
                await close()
            except Exception:
                log.warning("closing %s failed", name, exc_info=True)
        self.started = False


async def _logged(name: str, step: Step) -> None:
    try:
        await step()
    except Exception as error:
        log.warning("warming up %s failed: %s", name, type(error).__name__)


async def start(container: Container, *, warm_up: bool = True) -> None:
    """The schema check (raises when the database is behind this version), then, with
    `warm_up`, Microsoft's discovery in the background rather than at the first login (it
    never fails start-up: Microsoft being down is what /health/ready reports). Starting a
    started container does nothing."""
    container.database()  # built now, so that its schema check is registered
    if warm_up:
        container.gateway()  # and its warm-up
    await container.lifecycle().start(warm_up=warm_up)


async def stop(container: Container) -> None:
    """Cancel the background work and close everything the container built; idempotent."""
    await container.lifecycle().stop()
