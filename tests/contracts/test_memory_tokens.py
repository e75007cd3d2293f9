from __future__ import annotations

import pytest

from adapters.contracts.tokens import TokenContract
from adapters.memory import ManualClock, MemoryTokenService, RandomIds


class TestMemoryTokenService(TokenContract):
    @pytest.fixture
    def clock(self, manual_clock: ManualClock) -> ManualClock:
        return manual_clock  # the contract plugin's shared fixture

    @pytest.fixture
    def issuer(self, clock: ManualClock) -> MemoryTokenService:
        return MemoryTokenService(clock, RandomIds())

    @pytest.fixture
    def verifier(self, issuer: MemoryTokenService) -> MemoryTokenService:
        return issuer

    @pytest.fixture
    def foreign_issuer(self, clock: ManualClock) -> MemoryTokenService:
        return MemoryTokenService(clock, RandomIds())

    @pytest.fixture
    def advance(self, clock: ManualClock):
        return clock.advance
