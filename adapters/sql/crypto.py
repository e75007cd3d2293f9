"""Encryption at rest of the Microsoft tokens kept for a session (AES-256-GCM).

Each value gets a fresh random 96-bit nonce and is bound to its session id as associated
data, so a ciphertext copied onto another session's row does not decrypt. Stored layout:
`version (1 byte) || nonce (12 bytes) || ciphertext+tag`.

The key is 32 bytes, written as unpadded or padded base64url text (a setting, or a key file
for the embedded default: see `load_or_create_key_file`).
"""
from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.model import MicrosoftTokens

_VERSION = b"\x01"
_NONCE_BYTES = 12
KEY_BYTES = 32


class InvalidTokenKey(ValueError):
    """The configured key is not 32 bytes of base64url (the message never quotes it)."""


def generate_key() -> str:
    """A new random key, as base64url text."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii").rstrip("=")


def decode_key(key: str | bytes) -> bytes:
    """The raw key from its base64url text (raw 32-byte `bytes` are accepted as they are)."""
    if isinstance(key, bytes) and len(key) == KEY_BYTES:
        return key
    text = key.decode("ascii", "replace") if isinstance(key, bytes) else key
    text = text.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidTokenKey("the token encryption key is not valid base64url") from None
    if len(raw) != KEY_BYTES:
        raise InvalidTokenKey(f"the token encryption key must be {KEY_BYTES} bytes")
    return raw


def load_or_create_key_file(path: str | Path) -> str:
    """The key kept in `path`, generating it (readable by the owner only) on first use.
    Safe when several processes start at once: the key is written aside and linked into
    place, so exactly one key wins and nobody reads a half-written file."""
    path = Path(path)
    if path.exists():
        text = path.read_text(encoding="ascii").strip()
        decode_key(text)
        return text
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(generate_key() + "\n")
        with contextlib.suppress(FileExistsError):  # another process won: its key is the one
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return load_or_create_key_file(path)


class TokenCipher:
    """Seals and opens `MicrosoftTokens` for one session id."""

    def __init__(self, key: str | bytes):
        self._aead = AESGCM(decode_key(key))

    def seal(self, tokens: MicrosoftTokens, session_id: str) -> bytes:
        plain = json.dumps(
            {
                "access_token": tokens.access_token,
                "refresh_token": tokens.refresh_token,
                "id_token": tokens.id_token,
            },
            separators=(",", ":"),
        ).encode("utf-8")
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + nonce + self._aead.encrypt(nonce, plain, session_id.encode("utf-8"))

    def open(self, sealed: bytes, session_id: str) -> MicrosoftTokens:
        """The tokens; `ValueError` when the value was not sealed with this key for this id."""
        if sealed[:1] != _VERSION or len(sealed) < 1 + _NONCE_BYTES:
            raise ValueError("unknown token ciphertext format")
        nonce, body = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
        try:
            plain = self._aead.decrypt(nonce, body, session_id.encode("utf-8"))
        except InvalidTag:
            raise ValueError("the session's tokens do not decrypt with the configured key") from None
        data = json.loads(plain)
        return MicrosoftTokens(
            access_token=data.get("access_token"),
            refresh_token=data.get("refresh_token"),
            id_token=data.get("id_token"),
        )
