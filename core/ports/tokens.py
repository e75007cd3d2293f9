"""The service's own session tokens (JWT)."""
from __future__ import annotations

from typing import Protocol

from core.identity import SessionClaims


class TokenIssuer(Protocol):
    def issue(self, claims: SessionClaims) -> str:
        """A signed token carrying `claims` and nothing personal beyond the user id."""
        ...


class TokenVerifier(Protocol):
    def verify(self, token: str) -> SessionClaims:
        """The claims of a token this service issued and that is valid now. Raises
        `SignInError(invalid_token)` for anything else: bad signature or algorithm, unknown
        key, wrong issuer, audience or type, expired or not yet valid, malformed."""
        ...
