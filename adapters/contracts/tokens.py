"""The contract of `core.ports.tokens.TokenIssuer` and `TokenVerifier`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.contracts._support import Advance, abstract, elapse, not_provided
from core.errors import ErrorCode, SignInError
from core.identity import SessionClaims
from core.ports.clock import Clock
from core.ports.tokens import TokenIssuer, TokenVerifier


def claims_at(clock: Clock, lifetime: float = 600, *, suffix: str = "1") -> SessionClaims:
    # Whole seconds: a JWT carries `iat`/`exp` as integers.
    issued = clock.now().replace(microsecond=0)
    return SessionClaims(
        subject=f"user-{suffix}",
        session_id=f"session-{suffix}",
        token_id=f"token-{suffix}",
        issued_at=issued,
        expires_at=issued + timedelta(seconds=lifetime),
    )


def tampered(token: str) -> list[str]:
    middle = len(token) // 2
    flipped = "A" if token[middle] != "A" else "B"
    return [
        token[:middle] + flipped + token[middle + 1 :],
        token + "A",
        token[:-1],
        token.upper() if token.upper() != token else token.lower(),
        " " + token,
    ]


@pytest.mark.asyncio
class TokenContract:
    """Tests every session-token adapter (a `TokenIssuer` and its `TokenVerifier`) must pass.

    Provide `issuer` and `verifier` (often the same object), the `clock` the verifier
    judges expiry by, and `advance(seconds)`, which makes that clock move (a manual clock's
    `advance`, or `time.sleep` with a real clock; it may be async). Optionally provide
    `foreign_issuer`: an issuer of the same kind whose tokens this verifier must refuse
    (another signing key); without it that test is skipped. Claims use whole seconds, and
    the expiry test waits 2.5 s on a real clock, so configure no leeway::

        class TestJwtTokens(TokenContract):
            @pytest.fixture
            def clock(self):
                return SystemClock()

            @pytest.fixture
            def issuer(self, clock):
                return JwtTokens(new_key(), clock=clock, leeway=0)

            @pytest.fixture
            def verifier(self, issuer):
                return issuer

            @pytest.fixture
            def advance(self):
                return time.sleep
    """

    @pytest.fixture
    def issuer(self) -> TokenIssuer:
        return abstract("issuer", "TokenContract")  # type: ignore[no-any-return]

    @pytest.fixture
    def verifier(self) -> TokenVerifier:
        return abstract("verifier", "TokenContract")  # type: ignore[no-any-return]

    @pytest.fixture
    def clock(self) -> Clock:
        return abstract("clock", "TokenContract")  # type: ignore[no-any-return]

    @pytest.fixture
    def advance(self) -> Advance:
        return abstract("advance", "TokenContract")  # type: ignore[no-any-return]

    @pytest.fixture
    def foreign_issuer(self) -> TokenIssuer:
        not_provided("tokens of another key (no foreign_issuer fixture)")

    async def test_verify_returns_the_issued_claims(
        self, issuer: TokenIssuer, verifier: TokenVerifier, clock: Clock
    ) -> None:
        claims = claims_at(clock)
        token = issuer.issue(claims)
        assert isinstance(token, str) and token
        verified = verifier.verify(token)
        assert verified == claims
        assert verified.issued_at.utcoffset() == timedelta(0)
        assert verified.expires_at.utcoffset() == timedelta(0)

    async def test_each_token_carries_its_own_claims(
        self, issuer: TokenIssuer, verifier: TokenVerifier, clock: Clock
    ) -> None:
        first, second = claims_at(clock, suffix="a"), claims_at(clock, suffix="b")
        first_token, second_token = issuer.issue(first), issuer.issue(second)
        assert first_token != second_token
        assert verifier.verify(second_token) == second
        assert verifier.verify(first_token) == first

    async def test_a_token_verifies_more_than_once(
        self, issuer: TokenIssuer, verifier: TokenVerifier, clock: Clock
    ) -> None:
        claims = claims_at(clock)
        token = issuer.issue(claims)
        assert verifier.verify(token) == claims
        assert verifier.verify(token) == claims

    @pytest.mark.parametrize("garbage", ["", " ", "not-a-token", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "\x00"])
    async def test_garbage_is_an_invalid_token(self, verifier: TokenVerifier, garbage: str) -> None:
        with pytest.raises(SignInError) as caught:
            verifier.verify(garbage)
        assert caught.value.code is ErrorCode.INVALID_TOKEN

    async def test_a_tampered_token_is_invalid(
        self, issuer: TokenIssuer, verifier: TokenVerifier, clock: Clock
    ) -> None:
        token = issuer.issue(claims_at(clock))
        for forged in tampered(token):
            with pytest.raises(SignInError) as caught:
                verifier.verify(forged)
            assert caught.value.code is ErrorCode.INVALID_TOKEN

    async def test_an_expired_token_is_invalid(
        self, issuer: TokenIssuer, verifier: TokenVerifier, clock: Clock, advance: Advance
    ) -> None:
        token = issuer.issue(claims_at(clock, lifetime=1))
        await elapse(advance, 2.5)
        with pytest.raises(SignInError) as caught:
            verifier.verify(token)
        assert caught.value.code is ErrorCode.INVALID_TOKEN

    async def test_a_token_of_another_issuer_is_invalid(
        self, foreign_issuer: TokenIssuer, verifier: TokenVerifier, clock: Clock
    ) -> None:
        token = foreign_issuer.issue(claims_at(clock))
        with pytest.raises(SignInError) as caught:
            verifier.verify(token)
        assert caught.value.code is ErrorCode.INVALID_TOKEN
