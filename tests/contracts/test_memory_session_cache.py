from __future__ import annotations

import pytest

from adapters.memory import ManualClock, MemorySessionCache
from tests.contracts.session_cache import SessionCacheContract


class TestMemorySessionCache(SessionCacheContract):
    @pytest.fixture
    def clock(self) -> ManualClock:
        return ManualClock()

    @pytest.fixture
    def session_cache(self, clock: ManualClock) -> MemorySessionCache:
        return MemorySessionCache(clock)

    @pytest.fixture
    def advance(self, clock: ManualClock):
        return clock.advance
