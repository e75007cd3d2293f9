"""Clocks: the real one, and a hand-driven one for tests and simulations."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

_DEFAULT_START = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a clock only deals in timezone-aware datetimes")
    return moment.astimezone(UTC)


class SystemClock:
    """The wall clock in aware UTC, made monotonic: when the system clock is stepped back
    (NTP, a VM restore) `now()` repeats the latest time it gave until the wall clock catches
    up, so an expiry computed earlier never moves into the future again.

    Example::

        clock = SystemClock()
        assert clock.now() <= clock.now()
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest = datetime.min.replace(tzinfo=UTC)

    def now(self) -> datetime:
        wall = datetime.now(UTC)
        with self._lock:
            if wall > self._latest:
                self._latest = wall
            return self._latest


class ManualClock:
    """A clock that moves only when told to: `advance(seconds)` or `set(moment)`.

    It starts at `start` (default 2025-01-01 09:00 UTC, so runs are reproducible) and, like
    every clock of this service, never goes backwards: a negative `advance` or an earlier
    `set` raises `ValueError`.

    Example::

        clock = ManualClock()
        t0 = clock.now()
        clock.advance(90)
        assert clock.now() - t0 == timedelta(seconds=90)
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._now = _DEFAULT_START if start is None else _as_utc(start)

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, step: float | timedelta) -> datetime:
        """Move forward by `step` (seconds or a timedelta); returns the new time."""
        delta = step if isinstance(step, timedelta) else timedelta(seconds=step)
        if delta < timedelta(0):
            raise ValueError("a clock never goes backwards")
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> datetime:
        """Jump to `moment` (aware, not earlier than now); returns it in UTC."""
        target = _as_utc(moment)
        with self._lock:
            if target < self._now:
                raise ValueError("a clock never goes backwards")
            self._now = target
            return self._now
