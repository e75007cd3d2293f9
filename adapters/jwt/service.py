"""The service's own session JWT: issued and verified with PyJWT, EdDSA (Ed25519) only."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from adapters.jwt.keys import ALGORITHM, KeySet
from core.errors import ErrorCode, SignInError
from core.identity import SessionClaims
from core.ports.clock import Clock

TOKEN_TYPE = "signin-session+jwt"
MAX_LEEWAY = timedelta(seconds=60)
MAX_TOKEN_LENGTH = 4096
REQUIRED_CLAIMS = ("iss", "aud", "sub", "sid", "jti", "iat", "nbf", "exp")
# Header parameters we never act on but refuse outright: `crit` names extensions we do not
# implement (RFC 7515 §4.1.11), `b64` changes what was signed (RFC 7797).
_REFUSED_HEADERS = ("crit", "b64")

_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.InvalidSignatureError, "bad signature"),
    (jwt.InvalidAlgorithmError, "algorithm not allowed"),
    (jwt.InvalidAudienceError, "wrong audience"),
    (jwt.InvalidIssuerError, "wrong issuer"),
    (jwt.MissingRequiredClaimError, "missing claim"),
    (jwt.DecodeError, "malformed token"),
)


def _refuse(reason: str) -> SignInError:
    return SignInError(ErrorCode.INVALID_TOKEN, f"session token refused: {reason}")


class JwtTokenService:
    """`core.ports.TokenIssuer` and `TokenVerifier` for the service's session tokens.

    Header: `alg` EdDSA, `kid` (RFC 7638 thumbprint of the signing key), `typ`
    `signin-session+jwt`. Claims: `iss aud sub sid jti iat nbf exp`, nothing personal.

    Verification trusts nothing the token says about how to verify it: the algorithm is
    fixed, the key is looked up by `kid` in our own key set only (`jwk`, `jku`, `x5u`,
    `x5c` headers are never read), and the times are checked against the injected clock
    with at most 60 s of leeway. Every failure is `SignInError(invalid_token)` whose
    message names the reason, never the token.
    """

    def __init__(
        self,
        keys: KeySet,
        *,
        issuer: str,
        audience: str,
        clock: Clock,
        leeway: timedelta = timedelta(seconds=30),
    ) -> None:
        if not issuer or not audience:
            raise ValueError("the JWT issuer and audience must not be empty")
        if leeway < timedelta(0) or leeway > MAX_LEEWAY:
            raise ValueError("the JWT leeway must be between 0 and 60 seconds")
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._clock = clock
        self._leeway = leeway.total_seconds()

    def public_jwks(self) -> dict[str, Any]:
        """The JWKS document of every key that verifies (for `/.well-known/jwks.json`)."""
        return self._keys.public_jwks()

    def issue(self, claims: SessionClaims) -> str:
        issued_at = int(claims.issued_at.timestamp())
        payload = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": claims.subject,
            "sid": claims.session_id,
            "jti": claims.token_id,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": int(claims.expires_at.timestamp()),
        }
        headers = {"kid": self._keys.current_kid, "typ": TOKEN_TYPE}
        return jwt.encode(payload, self._keys.current, algorithm=ALGORITHM, headers=headers)

    def verify(self, token: str) -> SessionClaims:
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            raise _refuse("malformed token")
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, ValueError, TypeError):
            raise _refuse("malformed header") from None
        if header.get("alg") != ALGORITHM:
            raise _refuse("algorithm not allowed")
        if header.get("typ") != TOKEN_TYPE:
            raise _refuse("wrong type")
        if any(name in header for name in _REFUSED_HEADERS):
            raise _refuse("unsupported header parameter")
        kid = header.get("kid")
        key = self._keys.verification_keys().get(kid) if isinstance(kid, str) else None
        if key is None:
            raise _refuse("unknown key")
        payload = self._decode(token, key)
        self._check_times(payload)
        return SessionClaims(
            subject=payload["sub"],
            session_id=payload["sid"],
            token_id=payload["jti"],
            issued_at=datetime.fromtimestamp(payload["iat"], UTC),
            expires_at=datetime.fromtimestamp(payload["exp"], UTC),
        )

    def _decode(self, token: str, key: Any) -> dict[str, Any]:
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={
                    # times are checked against the injected clock in _check_times
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "require": list(REQUIRED_CLAIMS),
                    "strict_aud": True,
                },
            )
        except jwt.PyJWTError as exc:
            raise _refuse(_reason(exc)) from None
        except (ValueError, TypeError):
            raise _refuse("malformed token") from None
        for name in ("sub", "sid", "jti"):
            if not isinstance(payload.get(name), str) or not payload[name]:
                raise _refuse(f"invalid claim {name}")
        return payload

    def _check_times(self, payload: dict[str, Any]) -> None:
        for name in ("iat", "nbf", "exp"):
            value = payload[name]
            # we issue whole seconds; anything else (floats, NaN, bools, huge values) is not ours
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**40:
                raise _refuse(f"invalid claim {name}")
        now = self._clock.now().timestamp()
        if payload["exp"] <= now - self._leeway:
            raise _refuse("expired")
        if payload["nbf"] > now + self._leeway:
            raise _refuse("not yet valid")
        if payload["iat"] > now + self._leeway:
            raise _refuse("issued in the future")


def _reason(exc: Exception) -> str:
    for kind, reason in _REASONS:
        if isinstance(exc, kind):
            if isinstance(exc, jwt.MissingRequiredClaimError):
                return f"missing claim {exc.claim}"
            return reason
    return "invalid token"
