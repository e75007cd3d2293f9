"""Helpers for the forward-auth tests: asking /auth/verify, forging tokens with the
service's own key (to show that each claim is checked, not only the signature)."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters.jwt.keys import thumbprint


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def verify(client: Any, token: str | None = None, *, method: str = "GET",
                 headers: dict[str, str] | None = None, **query: Any) -> httpx.Response:
    sent = {**(bearer(token) if token else {}), **(headers or {})}
    return await client.request(method, "/auth/verify", params=query, headers=sent)


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 1.0) -> float:
    """Seconds until `check()` holds; fails when it does not hold within `within` seconds."""
    started = time.monotonic()
    while not await check():
        elapsed = time.monotonic() - started
        assert elapsed < within, f"still not true after {elapsed:.2f} s"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


class Forger:
    """Tokens like the service's, changed one way each: signed with the service's own key
    file, so a refusal proves the changed part is checked."""

    def __init__(self, settings: Any, genuine: str) -> None:
        pem = (settings.data_dir / "jwt-signing-key.pem").read_bytes()
        self.key = serialization.load_pem_private_key(pem, password=None)
        self.public_pem = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.kid = thumbprint(self.key.public_key())
        self.claims = jwt.decode(genuine, options={"verify_signature": False})
        self.issuer, self.audience = settings.jwt_issuer, settings.jwt_audience

    def sign(self, key: Any = None, headers: dict[str, Any] | None = None, **claims: Any) -> str:
        payload = {**self.claims, **claims}
        header = {"kid": self.kid, "typ": "signin-session+jwt", **(headers or {})}
        return jwt.encode(payload, key or self.key, algorithm="EdDSA", headers=header)

    def alg_none(self) -> str:
        return jwt.encode(self.claims, None, algorithm="none",
                          headers={"kid": self.kid, "typ": "signin-session+jwt"})

    def hs256_with_public_key(self) -> str:
        import base64
        import hashlib
        import hmac
        import json

        def part(data: dict[str, Any]) -> str:
            raw = json.dumps(data, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        head = part({"alg": "HS256", "typ": "signin-session+jwt", "kid": self.kid})
        signing_input = f"{head}.{part(self.claims)}".encode()
        mac = hmac.new(self.public_pem, signing_input, hashlib.sha256).digest()
        return signing_input.decode() + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def unknown_kid(self) -> str:
        stranger = Ed25519PrivateKey.generate()
        return self.sign(stranger, headers={"kid": thumbprint(stranger.public_key())})

    def right_kid_wrong_key(self) -> str:
        return self.sign(Ed25519PrivateKey.generate())
