"""The service's public keys, fetched from its JWKS with a timeout, cached, refetched on an
unknown `kid` at most once per interval, and never anything but Ed25519."""
from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

JWKS_PATH = "/.well-known/jwks.json"


class Unavailable(Exception):
    """The service could not be asked (down, timed out, or a malformed answer)."""


def _ed25519(jwk: Any) -> tuple[str, Ed25519PublicKey] | None:
    # Only the key type the service signs with: an RSA, EC or symmetric ("oct") entry is
    # ignored, so no key of another type can ever verify a token (no HS256 confusion).
    if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        return None
    kid, x = jwk.get("kid"), jwk.get("x")
    if not isinstance(kid, str) or not kid or not isinstance(x, str) or jwk.get("use", "sig") != "sig":
        return None
    try:
        raw = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
        return kid, Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return None


class RemoteKeys:
    """`key(kid)`: the Ed25519 public key the service publishes under `kid`, or None.

    The key set is fetched on first use and kept for `max_age` seconds; an unknown `kid`
    refetches it, but at most once every `refetch_interval` seconds (a stream of tokens with
    made-up `kid`s costs the service one request per interval, not one per token). When the
    set is too old and cannot be fetched, `Unavailable` is raised: no stale key is trusted.
    """

    def __init__(self, client: Callable[[], httpx.AsyncClient], url: str, *,
                 max_age: float = 300.0, refetch_interval: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._url = url
        self._max_age = max_age
        self._refetch_interval = refetch_interval
        self._clock = clock
        self._keys: dict[str, Ed25519PublicKey] = {}
        self._fetched_at: float | None = None  # last successful fetch
        self._attempted_at: float | None = None  # last attempt, successful or not
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def key(self, kid: str) -> Ed25519PublicKey | None:
        now = self._clock()
        if self._fetched_at is None or now - self._fetched_at >= self._max_age:
            if self._attempted_at is None or now - self._attempted_at >= min(1.0, self._refetch_interval):
                await self._refresh(self._attempted_at)
            if self._fetched_at is None or self._clock() - self._fetched_at >= self._max_age:
                raise Unavailable("JWKS unavailable")
        elif kid not in self._keys and (self._attempted_at is None
                                        or now - self._attempted_at >= self._refetch_interval):
            await self._refresh(self._attempted_at)
        return self._keys.get(kid)

    async def _refresh(self, seen: float | None) -> None:
        async with self._lock:
            if self._attempted_at != seen:  # another request fetched while we waited
                return
            self._attempted_at = self._clock()
            self.fetches += 1
            try:
                answer = await self._client().get(self._url)
                answer.raise_for_status()
                document = answer.json()
            except (httpx.HTTPError, ValueError):
                return  # the caller decides: a fresh set still serves, an old one does not
            entries = document.get("keys") if isinstance(document, dict) else None
            if not isinstance(entries, list):
                return
            self._keys = dict(filter(None, map(_ed25519, entries)))
            self._fetched_at = self._clock()
