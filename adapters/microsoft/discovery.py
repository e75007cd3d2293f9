"""OpenID discovery documents, fetched asynchronously with httpx and cached."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from adapters.microsoft.http import LazyAsyncClient
from core.errors import ErrorCode, SignInError
from core.ports.clock import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OidcMetadata:
    """The parts of a discovery document the service relies on."""

    issuer: str
    jwks_uri: str
    token_endpoint: str
    end_session_endpoint: str | None = None

    @property
    def multi_tenant(self) -> bool:
        """`organizations` / `common`: the issuer is a template filled with the token's `tid`."""
        return "{tenantid}" in self.issuer


def _metadata(document: Any) -> OidcMetadata:
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    urls: list[str] = []
    for name in ("issuer", "jwks_uri", "token_endpoint"):
        value = document.get(name)
        if not isinstance(value, str) or not value.startswith("https://"):
            raise ValueError(f"{name} missing")
        urls.append(value)
    end = document.get("end_session_endpoint")
    issuer, jwks_uri, token_endpoint = urls
    return OidcMetadata(issuer, jwks_uri, token_endpoint, end if isinstance(end, str) else None)


async def get_json(http: LazyAsyncClient, url: str, what: str) -> Any:
    """GET a JSON document; any failure is `temporarily_unavailable` (never shows the body)."""
    try:
        response = await http.get().get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as error:
        log.warning("%s fetch failed: %s", what, type(error).__name__)
        raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, f"{what} unreachable") from None
    if response.status_code != 200:
        log.warning("%s fetch answered HTTP %s", what, response.status_code)
        raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, f"{what} answered {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, f"{what} is not JSON") from None


class DiscoveryCache:
    """Discovery documents by URL, kept for `max_age`; failures are not cached."""

    def __init__(self, http: LazyAsyncClient, clock: Clock, max_age: timedelta = timedelta(hours=24)) -> None:
        self._http = http
        self._clock = clock
        self._max_age = max_age
        self._documents: dict[str, tuple[OidcMetadata, datetime]] = {}

    def cached(self, url: str) -> OidcMetadata | None:
        """The document if it was fetched before (however old), without any I/O."""
        entry = self._documents.get(url)
        return entry[0] if entry else None

    async def get(self, url: str, *, max_age: timedelta | None = None) -> OidcMetadata:
        """The document, fetched when it is not cached or older than `max_age` (default: the
        cache's own); raises `SignInError(temporarily_unavailable)` when it cannot be had. A
        health check passes a short `max_age` to learn whether Microsoft answers now."""
        entry = self._documents.get(url)
        now = self._clock.now()
        if entry is not None and now - entry[1] < (self._max_age if max_age is None else max_age):
            return entry[0]
        document = await get_json(self._http, url, "discovery document")
        try:
            metadata = _metadata(document)
        except ValueError:
            raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "discovery document malformed") from None
        self._documents[url] = (metadata, now)
        return metadata
