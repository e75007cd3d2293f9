from __future__ import annotations

import pytest

from adapters.memory import ManualClock, MemoryFlowStore
from tests.contracts.flow_store import FlowStoreContract


class TestMemoryFlowStore(FlowStoreContract):
    @pytest.fixture
    def clock(self) -> ManualClock:
        return ManualClock()

    @pytest.fixture
    def flow_store(self, clock: ManualClock) -> MemoryFlowStore:
        return MemoryFlowStore(clock)

    @pytest.fixture
    def advance(self, clock: ManualClock):
        return clock.advance
