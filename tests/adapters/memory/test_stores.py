from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory import (
    ManualClock,
    MemoryFlowStore,
    MemorySessionCache,
    MemoryTokenService,
    SequentialIds,
)
from adapters.memory.expiring import ExpiringMap
from core.errors import SignInError
from core.identity import LoginFlow, SessionClaims
from core.ports.sessions import CachedSession


def flow(state: str, **protocol: object) -> LoginFlow:
    return LoginFlow(state, "aad", {"nonce": "n", **protocol}, "hash", datetime(2025, 1, 1, tzinfo=UTC))


async def test_expired_flows_are_purged_so_memory_stays_bounded() -> None:
    clock = ManualClock()
    flows = MemoryFlowStore(clock)
    for n in range(1000):
        await flows.put(flow(f"s{n}"), timedelta(seconds=1))
    assert len(flows) == 1000
    clock.advance(2)
    await flows.put(flow("fresh"), timedelta(seconds=1))
    assert len(flows) == 1


def test_early_removals_do_not_pile_up_in_the_deadline_heap() -> None:
    entries: ExpiringMap[str, int] = ExpiringMap()
    now = datetime(2025, 1, 1, tzinfo=UTC)
    for n in range(10_000):
        entries.put(f"k{n}", n, now + timedelta(hours=1), now)
        assert entries.pop(f"k{n}", now) == n
    assert len(entries._deadlines) <= 64 + 4


async def test_a_flow_that_is_not_json_is_refused_at_put() -> None:
    flows = MemoryFlowStore(ManualClock())
    with pytest.raises(TypeError):
        await flows.put(flow("s", when=datetime.now(UTC)), timedelta(minutes=1))
    assert await flows.take("s") is None


async def test_a_state_is_never_overwritten() -> None:
    flows = MemoryFlowStore(ManualClock())
    await flows.put(flow("s"), timedelta(minutes=1))
    with pytest.raises(ValueError):
        await flows.put(flow("s", other=True), timedelta(minutes=1))
    assert await flows.take("s") == flow("s")


async def test_a_ttl_must_be_positive() -> None:
    clock = ManualClock()
    with pytest.raises(ValueError):
        await MemoryFlowStore(clock).put(flow("s"), timedelta(0))
    entry = CachedSession("sid", "uid", clock.now())
    with pytest.raises(ValueError):
        await MemorySessionCache(clock).put(entry, timedelta(seconds=-1))


async def test_a_rewritten_cache_entry_keeps_only_its_new_deadline() -> None:
    clock = ManualClock()
    cache = MemorySessionCache(clock)
    entry = CachedSession("sid", "uid", clock.now())
    await cache.put(entry, timedelta(seconds=1))
    await cache.put(entry, timedelta(seconds=10))
    clock.advance(5)
    assert await cache.get("sid") == entry
    clock.advance(5)
    assert await cache.get("sid") is None


def test_a_token_is_not_valid_before_it_was_issued() -> None:
    clock = ManualClock()
    tokens = MemoryTokenService(clock, SequentialIds("t"))
    later = clock.now() + timedelta(minutes=5)
    token = tokens.issue(SessionClaims("u", "s", "j", later, later + timedelta(hours=1)))
    with pytest.raises(SignInError):
        tokens.verify(token)
    clock.advance(timedelta(minutes=5))
    assert tokens.verify(token).subject == "u"


def test_leeway_tolerates_a_little_clock_skew() -> None:
    clock = ManualClock()
    tokens = MemoryTokenService(clock, SequentialIds("t"), leeway=timedelta(seconds=30))
    now = clock.now()
    token = tokens.issue(SessionClaims("u", "s", "j", now, now + timedelta(seconds=10)))
    clock.advance(35)
    assert tokens.verify(token).subject == "u"
    clock.advance(10)
    with pytest.raises(SignInError):
        tokens.verify(token)
