"""The background re-validation: every process runs one `SessionSweeper`, which now and then
asks Microsoft about the sessions that were used without refresh (`SweepSessions`).

Several processes share the work through the database's lease on each session (no session
is asked about twice at once), wake at jittered times (no thundering herd at Microsoft),
take a bounded batch each, and give each pass a time budget; a pass that fails (the
database down) is logged and the next one tries again.
"""
from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

from core.usecases.revalidation import Revalidation, SweepSessions
from entrypoints.web.events import SecurityLog

log = logging.getLogger("azure_signin.sweeper")
MIN_TICK, MAX_TICK = 0.2, 60.0


class SessionSweeper:
    def __init__(
        self,
        sweep: Callable[[], SweepSessions],
        security_log: SecurityLog,
        *,
        interval: float,
        jitter: Callable[[], float] = lambda: random.uniform(0.75, 1.25),  # noqa: S311 - timing, not secrets
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self._sweep = sweep
        self._log = security_log
        self._interval = interval
        self._jitter = jitter

    def next_delay(self) -> float:
        """Seconds until the next pass: a quarter interval, jittered, within bounds (a session
        is then confirmed between one and one and a quarter intervals after the last time)."""
        return min(max(self._interval / 4 * self._jitter(), MIN_TICK), MAX_TICK)

    async def run(self) -> None:
        """Sweep until cancelled."""
        while True:
            await asyncio.sleep(self.next_delay())
            await self.sweep_once()

    async def sweep_once(self) -> tuple[Revalidation, ...]:
        """One pass, within one interval; never raises (a failed pass is logged)."""
        try:
            results = await asyncio.wait_for(self._sweep()(), timeout=self._interval)
        except TimeoutError:
            log.warning("session sweep took longer than the interval; the rest waits for the next")
            return ()
        except Exception as error:  # the database or the cache down: try again next pass
            log.warning("session sweep failed: %s", type(error).__name__)
            return ()
        for result in results:
            self._log.revalidated(result, via="sweep")
        return results
