from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.jwt import JwtTokenService, KeySet

ISSUER = "https://signin.example.com"
AUDIENCE = "https://api.example.com"
START = datetime(2030, 5, 1, 12, 0, 0, tzinfo=UTC)


class MovableClock:
    def __init__(self, now: datetime = START) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def keys() -> KeySet:
    return KeySet.generate()


@pytest.fixture
def service(keys: KeySet, clock: MovableClock) -> JwtTokenService:
    return JwtTokenService(keys, issuer=ISSUER, audience=AUDIENCE, clock=clock)
