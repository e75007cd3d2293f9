"""Local verification of the service's session tokens: EdDSA only, the `typ` the service
sets, a key from its JWKS by `kid`, and `iss`, `aud`, `exp`, `nbf` checked by PyJWT."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from adapters.jwt.keys import ALGORITHM
from adapters.jwt.service import MAX_TOKEN_LENGTH, REQUIRED_CLAIMS, TOKEN_TYPE
from adapters.litestar_guard.jwks import RemoteKeys


class Refused(Exception):
    """The token is not a valid session token of this service (the reason, never the token)."""


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says: the user id (`sub`), session id (`sid`), token id and
    times (seconds since the epoch)."""

    subject: str
    session_id: str
    token_id: str
    issued_at: int
    expires_at: int


class TokenVerifier:
    """`await verify(token) -> TokenClaims`, or `Refused`; `Unavailable` (from the key set)
    when the keys cannot be had. Nothing in the token decides how it is checked: `alg` must
    be EdDSA (so `none` and HS256 signed with the public key are refused before any key is
    touched), `jku`/`jwk`/`x5u` are never read, `crit`/`b64` refused."""

    def __init__(self, keys: RemoteKeys, *, issuer: str, audience: str, leeway: float = 30.0) -> None:
        if not issuer or not audience:
            raise ValueError("the issuer and audience must not be empty")
        if not 0 <= leeway <= 60:
            raise ValueError("the leeway must be between 0 and 60 seconds")
        self._keys, self._issuer, self._audience, self._leeway = keys, issuer, audience, leeway

    async def verify(self, token: str) -> TokenClaims:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise Refused("malformed token")
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, ValueError, TypeError):
            raise Refused("malformed header") from None
        if header.get("alg") != ALGORITHM:
            raise Refused("algorithm not allowed")
        if header.get("typ") != TOKEN_TYPE or "crit" in header or "b64" in header:
            raise Refused("not a session token")
        kid = header.get("kid")
        key = await self._keys.key(kid) if isinstance(kid, str) else None
        if key is None:
            raise Refused("unknown key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=[ALGORITHM], audience=self._audience, issuer=self._issuer,
                leeway=self._leeway, options={"require": list(REQUIRED_CLAIMS), "strict_aud": True},
            )
        except jwt.ExpiredSignatureError:
            raise Refused("expired") from None
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise Refused(type(error).__name__) from None
        if not all(isinstance(claims.get(n), str) and claims[n] for n in ("sub", "sid", "jti")):
            raise Refused("invalid claims")
        return TokenClaims(claims["sub"], claims["sid"], claims["jti"], int(claims["iat"]),
                           int(claims["exp"]))
