"""Opaque session tokens kept in memory: the in-process stand-in for the JWT adapter."""
from __future__ import annotations

from datetime import timedelta

from adapters.memory.expiring import ExpiringMap
from core.errors import ErrorCode, SignInError
from core.identity import SessionClaims
from core.ports.clock import Clock, IdGenerator


class MemoryTokenService:
    """A `TokenIssuer` and `TokenVerifier` in one: a token is a random secret from `ids`,
    and the claims it stands for stay in this object until they expire. Nothing can be
    read from or forged into a token; any string this instance did not issue (tampered,
    garbage, empty, or issued by another instance) fails with `invalid_token`, as does a
    token whose claims are expired, or not yet valid, on `clock` (with `leeway` of
    tolerance either way, zero by default).

    Tokens do not survive a restart and are not shared between processes: fine for tests
    and the single-process embedded default, not for a fleet (use the JWT adapter there).

    Example::

        tokens = MemoryTokenService(clock, RandomIds())
        assert tokens.verify(tokens.issue(claims)) == claims
    """

    def __init__(self, clock: Clock, ids: IdGenerator, *, leeway: timedelta = timedelta(0)) -> None:
        if leeway < timedelta(0):
            raise ValueError("leeway cannot be negative")
        self._clock = clock
        self._ids = ids
        self._leeway = leeway
        self._claims: ExpiringMap[str, SessionClaims] = ExpiringMap()

    def issue(self, claims: SessionClaims) -> str:
        token = self._ids.secret()
        self._claims.put(token, claims, claims.expires_at + self._leeway, self._clock.now())
        return token

    def verify(self, token: str) -> SessionClaims:
        now = self._clock.now()
        claims = self._claims.get(token, now) if token else None
        if claims is None:
            raise SignInError(ErrorCode.INVALID_TOKEN, "unknown or expired token")
        if claims.issued_at - self._leeway > now:
            raise SignInError(ErrorCode.INVALID_TOKEN, "token not valid yet")
        return claims

    def __len__(self) -> int:
        """Tokens alive or expired but not yet purged (an upper bound, for monitoring)."""
        return len(self._claims)
