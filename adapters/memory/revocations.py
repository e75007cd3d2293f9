"""The revocation feed within one process (the embedded default and tests)."""
from __future__ import annotations

import asyncio
from collections.abc import Callable

from core.ports.revocations import Revocation


class MemoryRevocationFeed:
    """`core.ports.RevocationFeed` for a single process: `publish` calls every listener of
    this feed before it returns."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[Revocation], None]] = []

    async def publish(self, revocation: Revocation) -> None:
        for listener in list(self._listeners):
            listener(revocation)

    async def listen(self, on_revocation: Callable[[Revocation], None]) -> None:
        self._listeners.append(on_revocation)
        try:
            await asyncio.Event().wait()  # until cancelled
        finally:
            self._listeners.remove(on_revocation)
