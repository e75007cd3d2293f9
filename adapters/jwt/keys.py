"""The service's signing keys: Ed25519, from PEM files, identified by RFC 7638 thumbprints."""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

log = logging.getLogger(__name__)

ALGORITHM = "EdDSA"
DEFAULT_KEY_FILE = "jwt-signing-key.pem"
MIN_HMAC_SECRET_BYTES = 32


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk(key: Ed25519PublicKey) -> dict[str, str]:
    """The public JWK of `key`, with its thumbprint as `kid`, for a JWKS document."""
    x = _b64url(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": thumbprint(key), "use": "sig",
            "alg": ALGORITHM}


def thumbprint(key: Ed25519PublicKey) -> str:
    """RFC 7638 JWK SHA-256 thumbprint: the required members, sorted, no whitespace."""
    x = _b64url(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"),
                           sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


@dataclass(frozen=True)
class KeySet:
    """The current private key (signs) and the previous public keys (still verify).

    Rotation: `keys.rotated(new_private_key)` signs with the new key and keeps verifying
    tokens of the old one until it is dropped from `previous` (after the longest token
    lifetime has passed).
    """

    current: Ed25519PrivateKey = field(repr=False)
    previous: tuple[Ed25519PublicKey, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "previous", tuple(self.previous))
        if not isinstance(self.current, Ed25519PrivateKey):
            raise ValueError("the current signing key must be an Ed25519 private key")
        if not all(isinstance(key, Ed25519PublicKey) for key in self.previous):
            raise ValueError("previous keys must be Ed25519 public keys")

    @property
    def current_kid(self) -> str:
        return thumbprint(self.current.public_key())

    def verification_keys(self) -> dict[str, Ed25519PublicKey]:
        """Every key a token may be verified with, by `kid` (current first)."""
        keys = {self.current_kid: self.current.public_key()}
        for key in self.previous:
            keys.setdefault(thumbprint(key), key)
        return keys

    def rotated(self, new_current: Ed25519PrivateKey) -> KeySet:
        return KeySet(new_current, (self.current.public_key(), *self.previous))

    def without(self, kid: str) -> KeySet:
        """The same set with the previous key `kid` dropped (the current one stays)."""
        return KeySet(self.current, tuple(k for k in self.previous if thumbprint(k) != kid))

    def public_jwks(self) -> dict[str, Any]:
        """The JWKS document served at `/.well-known/jwks.json`: public material only."""
        return {"keys": [public_jwk(key) for key in self.verification_keys().values()]}

    @classmethod
    def generate(cls) -> KeySet:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load(
        cls, private_key_path: str | Path, previous_public_key_paths: Iterable[str | Path] = ()
    ) -> KeySet:
        """Read the current private key and the previous public keys from PEM files.
        Raises ValueError naming the file (never its content) when one is not usable."""
        return cls(
            _load_private(Path(private_key_path)),
            tuple(_load_public(Path(path)) for path in previous_public_key_paths),
        )


def _load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(f"cannot read the JWT signing key {path}: {type(exc).__name__}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"the JWT signing key {path} is not an Ed25519 key")
    return key


def _load_public(path: Path) -> Ed25519PublicKey:
    try:
        data = path.read_bytes()
        if b"PRIVATE KEY" in data:
            key: Any = serialization.load_pem_private_key(data, password=None).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(f"cannot read the JWT public key {path}: {type(exc).__name__}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"the JWT public key {path} is not an Ed25519 key")
    return key


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_or_create_key(directory: str | Path, filename: str = DEFAULT_KEY_FILE) -> Path:
    """The path of the embedded default's signing key under `directory` (e.g. `var/`),
    generated on first use with mode 0600 and reused afterwards. Safe when several
    processes start at once: the key is written aside and linked into place, so exactly one
    key wins and nobody reads a half-written file."""
    folder = Path(directory)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / filename
    if path.exists():
        if path.stat().st_mode & 0o077:
            log.warning("the JWT signing key %s is readable by others; use mode 0600", path)
        return path
    temporary = folder / f".{filename}.{os.getpid()}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(private_pem(Ed25519PrivateKey.generate()))
        try:
            os.link(temporary, path)
            log.info("generated a new JWT signing key at %s", path)
        except FileExistsError:
            pass
    finally:
        temporary.unlink(missing_ok=True)
    return path


def validate_hmac_secret(secret: str | bytes, setting: str = "HMAC secret") -> bytes:
    """The secret as bytes, or ValueError naming `setting` when it is shorter than 32 bytes
    (RFC 7518 §3.2: an HS256 key must be at least as long as the hash)."""
    data = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if len(data) < MIN_HMAC_SECRET_BYTES:
        raise ValueError(f"{setting} must be at least {MIN_HMAC_SECRET_BYTES} bytes long")
    return data

