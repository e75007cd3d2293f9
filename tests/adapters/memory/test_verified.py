"""`RememberingVerifier`: one signature check per token, never past the token's expiry."""
from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory import ManualClock, MemoryTokenService, SequentialIds
from adapters.memory.verified import RememberingVerifier
from core.errors import SignInError
from core.identity import SessionClaims


class Counting:
    def __init__(self, inner: MemoryTokenService) -> None:
        self.inner, self.calls = inner, 0

    def verify(self, token: str) -> SessionClaims:
        self.calls += 1
        return self.inner.verify(token)


def setup(lifetime: timedelta = timedelta(minutes=5), **options: int):
    clock = ManualClock()
    tokens = MemoryTokenService(clock, SequentialIds())
    now = clock.now()
    token = tokens.issue(SessionClaims("u1", "s1", "j1", now, now + lifetime))
    counting = Counting(tokens)
    return clock, tokens, counting, RememberingVerifier(counting, clock, **options), token


def test_a_token_is_verified_once_then_remembered() -> None:
    _, _, counting, verifier, token = setup()
    first = verifier.verify(token)
    assert verifier.verify(token) == first and counting.calls == 1


def test_a_remembered_token_is_verified_again_at_its_expiry_and_refused() -> None:
    clock, _, counting, verifier, token = setup()
    verifier.verify(token)
    clock.advance(timedelta(minutes=5))
    with pytest.raises(SignInError):
        verifier.verify(token)
    assert counting.calls == 2 and len(verifier) == 0


def test_refusals_are_not_remembered_and_the_memory_is_bounded() -> None:
    clock, tokens, counting, verifier, token = setup(max_entries=2)
    for _ in range(3):
        with pytest.raises(SignInError):
            verifier.verify("forged")
    assert counting.calls == 3 and len(verifier) == 0
    now = clock.now()
    for n in range(5):
        verifier.verify(tokens.issue(SessionClaims("u", f"s{n}", f"j{n}", now, now + timedelta(hours=1))))
    assert len(verifier) == 2
    with pytest.raises(ValueError):
        RememberingVerifier(counting, clock, max_entries=0)
