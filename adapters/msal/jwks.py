"""Signing keys (JWKS) per `jwks_uri`, fetched asynchronously and cached.

An unknown `kid` forces one refetch (keys roll over), at most once per `refetch_interval`
per key set, so a stream of tokens with a foreign `kid` cannot turn into a stream of fetches.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from adapters.microsoft.discovery import get_json
from adapters.microsoft.http import LazyAsyncClient
from core.errors import ErrorCode, SignInError
from core.ports.clock import Clock

log = logging.getLogger(__name__)


@dataclass
class _KeySet:
    keys: dict[str, Any]
    fetched_at: datetime
    forced_at: datetime | None = None


def _parse(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "key set malformed")
    keys: dict[str, Any] = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
            continue
        kid = jwk.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        try:
            keys[kid] = jwt.PyJWK(jwk, algorithm="RS256").key
        except (jwt.PyJWKError, ValueError, TypeError):
            log.warning("skipping an unusable key in a key set")
    return keys


class JwksCache:
    """RSA verification keys by `kid`, per key-set URL."""

    def __init__(
        self,
        http: LazyAsyncClient,
        clock: Clock,
        *,
        max_age: timedelta = timedelta(hours=24),
        refetch_interval: timedelta = timedelta(seconds=60),
    ) -> None:
        self._http = http
        self._clock = clock
        self._max_age = max_age
        self._refetch_interval = refetch_interval
        self._sets: dict[str, _KeySet] = {}

    async def key(self, jwks_uri: str, kid: str) -> Any | None:
        """The public key named `kid`, or None when the key set does not have it even after
        the one refetch allowed."""
        now = self._clock.now()
        entry = self._sets.get(jwks_uri)
        if entry is None or now - entry.fetched_at >= self._max_age:
            entry = await self._fetch(jwks_uri, now, forced_at=entry.forced_at if entry else None)
        if kid in entry.keys:
            return entry.keys[kid]
        if entry.forced_at is not None and now - entry.forced_at < self._refetch_interval:
            return None
        entry.forced_at = now  # before the await: parallel callers do not refetch too
        entry = await self._fetch(jwks_uri, now, forced_at=now)
        return entry.keys.get(kid)

    async def _fetch(self, jwks_uri: str, now: datetime, forced_at: datetime | None) -> _KeySet:
        keys = _parse(await get_json(self._http, jwks_uri, "key set"))
        entry = _KeySet(keys, now, forced_at)
        self._sets[jwks_uri] = entry
        return entry
