"""`core.ports.HandoffCipher` with HKDF-SHA256 and AES-256-GCM.

The key of each sealed token is derived from its one-time code alone (HKDF, with a salt and
an `info` of its own, so it shares nothing with the store's lookup key, a domain-separated
SHA-256 of the code computed by the core). A code carries at least 256 bits of entropy
(`IdGenerator.secret`), so a fast KDF is enough: there is nothing to brute-force. Layout of
the sealed text: `v1.` + base64url(nonce (12 bytes) || ciphertext+tag).
"""
from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_PREFIX = "v1."
_SALT = b"azure-signin/handoff/v1"
_INFO = b"token encryption key"
_AAD = b"azure-signin handoff token"
_NONCE_BYTES = 12


def _key(code: str) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO)
    return AESGCM(derived.derive(code.encode("utf-8")))


class AeadHandoffCipher:
    """Seals hand-off tokens so that only the holder of the code can open them."""

    def seal(self, code: str, token: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = nonce + _key(code).encrypt(nonce, token.encode("utf-8"), _AAD)
        return _PREFIX + base64.urlsafe_b64encode(sealed).decode("ascii")

    def open(self, code: str, sealed: str) -> str | None:
        if not sealed.startswith(_PREFIX):
            return None
        try:
            raw = base64.urlsafe_b64decode(sealed[len(_PREFIX):].encode("ascii"))
            if len(raw) <= _NONCE_BYTES:
                return None
            plain = _key(code).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _AAD)
            return plain.decode("utf-8")
        except (InvalidTag, binascii.Error, ValueError):
            return None
