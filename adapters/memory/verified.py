"""Remembering verified tokens in this process: the hot path verifies a signature once per
token, not once per request."""
from __future__ import annotations

from collections import OrderedDict

from core.identity import SessionClaims
from core.ports.clock import Clock
from core.ports.tokens import TokenVerifier


class RememberingVerifier:
    """A `TokenVerifier` that remembers what `inner` accepted, by the exact token text, until
    the token's `exp` (re-verified after it, so `inner` refuses it then).

    Safe because a verification depends only on the token and this process's key set, which
    is fixed for the life of the process (a rotated key set means a restarted process, with
    an empty memory); the text as key binds header, claims and signature together. Refusals
    are not remembered: forged tokens cost the full check, and cannot fill the memory.
    Bounded (least recently used first out).
    """

    def __init__(self, inner: TokenVerifier, clock: Clock, *, max_entries: int = 10_000) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._inner = inner
        self._clock = clock
        self._max_entries = max_entries
        self._accepted: OrderedDict[str, SessionClaims] = OrderedDict()

    def verify(self, token: str) -> SessionClaims:
        claims = self._accepted.get(token)
        if claims is not None:
            if claims.expires_at > self._clock.now():
                self._accepted.move_to_end(token)
                return claims
            del self._accepted[token]
        claims = self._inner.verify(token)
        self._accepted[token] = claims
        while len(self._accepted) > self._max_entries:
            self._accepted.popitem(last=False)
        return claims

    def __len__(self) -> int:
        return len(self._accepted)
