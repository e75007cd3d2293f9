"""A dictionary whose entries vanish at a deadline read from the clock port."""
from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Hashable
from datetime import datetime
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ExpiringMap(Generic[K, V]):
    """Entries with a deadline; an entry is gone once `now >= deadline`.

    Every operation takes `now` from the caller (who reads the clock port) and first purges
    what has expired, in deadline order through a heap, so memory stays bounded by the
    entries alive plus those removed early and not yet due. Each operation is atomic under
    threads and, having no `await`, under asyncio.
    """

    def __init__(self) -> None:
        self._entries: dict[K, tuple[V, datetime, int]] = {}
        self._deadlines: list[tuple[datetime, int, K]] = []
        self._versions = itertools.count()
        self._lock = threading.Lock()

    def put(self, key: K, value: V, deadline: datetime, now: datetime) -> None:
        """Store `value` under `key` until `deadline`, replacing any entry for `key`."""
        with self._lock:
            self._purge(now)
            version = next(self._versions)
            self._entries[key] = (value, deadline, version)
            heapq.heappush(self._deadlines, (deadline, version, key))

    def add(self, key: K, value: V, deadline: datetime, now: datetime) -> bool:
        """Like `put`, but only when no live entry holds `key`; returns whether it stored."""
        with self._lock:
            self._purge(now)
            if key in self._entries:
                return False
            version = next(self._versions)
            self._entries[key] = (value, deadline, version)
            heapq.heappush(self._deadlines, (deadline, version, key))
            return True

    def get(self, key: K, now: datetime) -> V | None:
        with self._lock:
            self._purge(now)
            entry = self._entries.get(key)
            return None if entry is None else entry[0]

    def pop(self, key: K, now: datetime) -> V | None:
        """Remove and return the live entry under `key`: only one caller ever gets it."""
        with self._lock:
            self._purge(now)
            entry = self._entries.pop(key, None)
            return None if entry is None else entry[0]

    def delete(self, key: K) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _purge(self, now: datetime) -> None:
        heap = self._deadlines
        while heap and heap[0][0] <= now:
            _, version, key = heapq.heappop(heap)
            entry = self._entries.get(key)
            # A key stored again later has a newer version: its old deadline no longer counts.
            if entry is not None and entry[2] == version:
                del self._entries[key]
        # Entries removed early leave their deadlines behind; rebuild when they dominate.
        if len(heap) > 64 and len(heap) > 4 * len(self._entries):
            self._deadlines = [(d, v, k) for k, (_, d, v) in self._entries.items()]
            heapq.heapify(self._deadlines)
