from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.contracts.tokens import TokenContract
from adapters.jwt import JwtTokenService, KeySet
from tests.adapters.jwt.conftest import AUDIENCE, ISSUER, MovableClock


class TestJwtTokenService(TokenContract):
    @pytest.fixture
    def clock(self) -> MovableClock:
        return MovableClock()

    @pytest.fixture
    def issuer(self, clock: MovableClock) -> JwtTokenService:
        return JwtTokenService(
            KeySet.generate(), issuer=ISSUER, audience=AUDIENCE, clock=clock, leeway=timedelta(0)
        )

    @pytest.fixture
    def verifier(self, issuer: JwtTokenService) -> JwtTokenService:
        return issuer

    @pytest.fixture
    def foreign_issuer(self, clock: MovableClock) -> JwtTokenService:
        return JwtTokenService(KeySet.generate(), issuer=ISSUER, audience=AUDIENCE, clock=clock)

    @pytest.fixture
    def advance(self, clock: MovableClock):
        return clock.advance
