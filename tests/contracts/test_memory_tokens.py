from __future__ import annotations

import pytest

from adapters.memory import ManualClock, MemoryTokenService, RandomIds
from tests.contracts.tokens import TokenContract


class TestMemoryTokenService(TokenContract):
    @pytest.fixture
    def clock(self) -> ManualClock:
        return ManualClock()

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
