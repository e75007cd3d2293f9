from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from adapters.memory import ManualClock, RandomIds, SequentialIds, SystemClock


def test_system_clock_gives_aware_utc_that_never_goes_backwards(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = SystemClock()
    first = clock.now()
    assert first.utcoffset() == timedelta(0)
    earlier = first - timedelta(hours=1)

    class SteppedBack(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return earlier

    monkeypatch.setattr("adapters.memory.clock.datetime", SteppedBack)
    assert clock.now() == first


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(datetime(2030, 1, 1, tzinfo=UTC))
    assert clock.now() == clock.now() == datetime(2030, 1, 1, tzinfo=UTC)
    clock.advance(1.5)
    clock.advance(timedelta(minutes=1))
    assert clock.now() == datetime(2030, 1, 1, 0, 1, 1, 500000, tzinfo=UTC)
    clock.set(datetime(2030, 1, 1, 3, tzinfo=timezone(timedelta(hours=2))))
    assert clock.now() == datetime(2030, 1, 1, 1, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


def test_manual_clock_never_goes_backwards() -> None:
    clock = ManualClock()
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError):
        clock.set(clock.now() - timedelta(seconds=1))


def test_manual_clock_refuses_naive_times() -> None:
    with pytest.raises(ValueError):
        ManualClock(datetime(2030, 1, 1))
    with pytest.raises(ValueError):
        ManualClock().set(datetime(2030, 1, 1))


def test_random_ids_are_uuids_and_secrets_carry_256_bits() -> None:
    ids = RandomIds()
    assert len({ids.new_id() for _ in range(100)}) == 100
    assert len(ids.new_id()) == 36
    secret = ids.secret()
    assert len(secret) >= 43 and all(c.isalnum() or c in "-_" for c in secret)


def test_sequential_ids_are_predictable() -> None:
    ids = SequentialIds("user")
    assert [ids.new_id(), ids.new_id()] == ["user-1", "user-2"]
    assert ids.secret() == "user-secret-1"
