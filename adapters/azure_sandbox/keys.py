"""Signing keys: RS256 key rings with rotation, their JWKS, and token signing/tampering.

Azure AD and B2C sign with different key sets, so the sandbox keeps one ring per family.
After a rotation the ring publishes the new key and keeps the previous one, as Microsoft
does during a rollover, so tokens signed a moment ago still verify.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import threading
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass(frozen=True)
class SigningKey:
    """One RSA key, with the self-signed certificate Azure AD publishes in `x5c`."""

    kid: str
    private_key: rsa.RSAPrivateKey
    certificate_der: bytes
    created: float

    def jwk(self, family: str, issuer_template: str | None) -> dict[str, Any]:
        numbers = self.private_key.public_key().public_numbers()
        key: dict[str, Any] = {"kty": "RSA", "use": "sig", "kid": self.kid}
        if family == "aad":
            key["x5t"] = self.kid
        key["n"] = _int_b64(numbers.n)
        key["e"] = _int_b64(numbers.e)
        if family == "aad":
            key["x5c"] = [base64.b64encode(self.certificate_der).decode("ascii")]
            if issuer_template:
                key["issuer"] = issuer_template
        else:
            key["nbf"] = int(self.created)
        return key


def new_signing_key(family: str, now: float) -> SigningKey:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "accounts.sandbox.localhost")])
    start = dt.datetime.fromtimestamp(now, dt.UTC) - dt.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * 5))
        .sign(private_key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    # Azure AD's kid is the certificate's base64url SHA-1 thumbprint (equal to x5t);
    # B2C's kids are opaque strings.
    kid = b64url(hashlib.sha1(der).digest()) if family == "aad" else secrets.token_urlsafe(32)  # noqa: S324
    return SigningKey(kid=kid, private_key=private_key, certificate_der=der, created=now)


class KeyRing:
    """The current signing key and the previous one (after a rotation)."""

    def __init__(
        self, family: str, now: float, issuer_template: str | None = None, initial: SigningKey | None = None
    ) -> None:
        self.family = family
        self.issuer_template = issuer_template
        self._lock = threading.Lock()
        self._keys = [initial or new_signing_key(family, now)]

    @property
    def current(self) -> SigningKey:
        with self._lock:
            return self._keys[0]

    def rotate(self, now: float) -> SigningKey:
        """Sign with a new key from now on; publish it and keep the previous one."""
        fresh = new_signing_key(self.family, now)
        with self._lock:
            self._keys = [fresh, self._keys[0]]
        return fresh

    def published(self) -> list[SigningKey]:
        with self._lock:
            return list(self._keys)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.jwk(self.family, self.issuer_template) for k in self.published()]}

    def public_key(self, kid: str | None) -> rsa.RSAPublicKey | None:
        for key in self.published():
            if key.kid == kid:
                return key.private_key.public_key()
        return None

    def sign(self, claims: dict[str, Any], tamper: str | None = None) -> str:
        """A compact JWS of `claims`; `tamper` is None, `bad_signature`, `alg_none` or `malformed`."""
        key = self.current
        if tamper == "malformed":
            return "not-a-jwt"
        if tamper == "alg_none":
            header = {"typ": "JWT", "alg": "none"}
            return ".".join([b64url(json.dumps(header).encode()), b64url(json.dumps(claims).encode()), ""])
        token = jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": "JWT"})
        if tamper == "bad_signature":
            head, body, signature = token.split(".")
            raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
            raw[len(raw) // 2] ^= 0xFF
            token = f"{head}.{body}.{b64url(bytes(raw))}"
        return token

    def verify(
        self, token: str, audience: str, leeway: float = 0, now: float | None = None
    ) -> dict[str, Any]:
        """Check signature, `aud` and `exp` (against `now`); raise `jwt.InvalidTokenError`."""
        header = jwt.get_unverified_header(token)
        public_key = self.public_key(header.get("kid"))
        if public_key is None or header.get("alg") != "RS256":
            raise jwt.InvalidSignatureError("signing key not found")
        claims = jwt.decode(
            token,
            public_key,
            algorithms=["RS256"],
            audience=audience,
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
        if now is not None and float(claims.get("exp", 0)) + leeway <= now:
            raise jwt.ExpiredSignatureError("token expired")
        return claims
