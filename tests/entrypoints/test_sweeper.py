"""The background sweeper: when it wakes, and that a failing pass never stops it."""
from __future__ import annotations

import asyncio
import json
import logging

import pytest

from core.rules.revalidation import Verdict
from core.usecases.revalidation import Revalidation
from entrypoints.web.events import SecurityLog
from entrypoints.web.sweeper import MAX_TICK, MIN_TICK, SessionSweeper

LOG = SecurityLog(b"pepper")


class _Sweep:
    def __init__(self, outcome: object) -> None:
        self.outcome = outcome
        self.calls = 0

    async def __call__(self) -> tuple[Revalidation, ...]:
        self.calls += 1
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        if self.outcome == "slow":
            await asyncio.sleep(10)
        return self.outcome  # type: ignore[return-value]


def sweeper(sweep: _Sweep, interval: float = 900, jitter: float = 1.0) -> SessionSweeper:
    return SessionSweeper(lambda: sweep, LOG, interval=interval, jitter=lambda: jitter)  # type: ignore[arg-type,return-value]


@pytest.mark.parametrize(
    ("interval", "jitter", "delay"),
    [(900, 1.0, 60.0), (100, 1.0, 25.0), (100, 0.75, 18.75), (100, 1.25, 31.25), (0.4, 1.0, MIN_TICK)],
)
def test_a_pass_every_quarter_interval_jittered_within_bounds(
    interval: float, jitter: float, delay: float
) -> None:
    assert sweeper(_Sweep(()), interval, jitter).next_delay() == pytest.approx(delay)
    assert MIN_TICK <= delay <= MAX_TICK


def test_the_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="interval must be positive"):
        sweeper(_Sweep(()), interval=0)


async def test_a_failing_pass_is_logged_and_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="azure_signin.sweeper")
    assert await sweeper(_Sweep(ConnectionError("db down"))).sweep_once() == ()
    assert [r.getMessage() for r in caplog.records] == ["session sweep failed: ConnectionError"]


async def test_a_pass_longer_than_the_interval_is_cut_short(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="azure_signin.sweeper")
    assert await sweeper(_Sweep("slow"), interval=0.05).sweep_once() == ()
    assert "longer than the interval" in caplog.records[0].getMessage()


async def test_closed_and_kept_sessions_reach_the_security_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="azure_signin.security")
    results = (
        Revalidation("s-1", "u-1", Verdict.CLOSED, "account_disabled", "AADSTS50057"),
        Revalidation("s-2", "u-2", Verdict.KEPT, "microsoft_unreachable"),
        Revalidation("s-3", "u-3", Verdict.CONFIRMED, "confirmed"),
    )
    assert await sweeper(_Sweep(results)).sweep_once() == results
    events = [json.loads(r.getMessage()) for r in caplog.records]
    assert [(e["event"], e["reason"], e["via"]) for e in events] == [
        ("session_closed", "account_disabled", "sweep"),
        ("session_unconfirmed", "microsoft_unreachable", "sweep"),
    ]
    assert events[0]["microsoft_code"] == "AADSTS50057"
    assert "s-1" not in caplog.text and "u-1" not in caplog.text  # ids are hashed


async def test_run_keeps_sweeping_until_cancelled() -> None:
    sweep = _Sweep(())
    task = asyncio.get_running_loop().create_task(sweeper(sweep, interval=0.4).run())
    while sweep.calls < 2:
        await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
