from __future__ import annotations

import pytest

from adapters.contracts.flow_store import FlowStoreContract
from adapters.memory import ManualClock, MemoryFlowStore


class TestMemoryFlowStore(FlowStoreContract):
    @pytest.fixture
    def clock(self, manual_clock: ManualClock) -> ManualClock:
        return manual_clock  # the contract plugin's shared fixture

    @pytest.fixture
    def flow_store(self, clock: ManualClock) -> MemoryFlowStore:
        return MemoryFlowStore(clock)

    @pytest.fixture
    def advance(self, clock: ManualClock):
        return clock.advance
