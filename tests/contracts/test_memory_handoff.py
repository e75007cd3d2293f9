from __future__ import annotations

import pytest

from adapters.contracts.handoff import TokenHandoffContract
from adapters.memory import ManualClock
from adapters.memory.handoff import MemoryTokenHandoff


class TestMemoryTokenHandoff(TokenHandoffContract):
    @pytest.fixture
    def clock(self, manual_clock: ManualClock) -> ManualClock:
        return manual_clock  # the contract plugin's shared fixture

    @pytest.fixture
    def handoff(self, clock: ManualClock) -> MemoryTokenHandoff:
        return MemoryTokenHandoff(clock)

    @pytest.fixture
    def advance(self, clock: ManualClock):
        return clock.advance

    @pytest.fixture
    def raw_store(self, handoff: MemoryTokenHandoff):
        return lambda: {key: value for key, (value, _) in handoff._entries.items()}
