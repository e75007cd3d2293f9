from __future__ import annotations

import pytest

from adapters.contracts.session_cache import SessionCacheContract
from adapters.memory import ManualClock, MemorySessionCache


class TestMemorySessionCache(SessionCacheContract):
    @pytest.fixture
    def clock(self, manual_clock: ManualClock) -> ManualClock:
        return manual_clock  # the contract plugin's shared fixture

    @pytest.fixture
    def session_cache(self, clock: ManualClock) -> MemorySessionCache:
        return MemorySessionCache(clock)

    @pytest.fixture
    def advance(self, clock: ManualClock):
        return clock.advance
