"""Graph app tokens (client credentials) for B2C tenants, fetched with httpx and cached
until shortly before they expire. The token endpoint comes from the tenant authority's
discovery document."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from adapters.microsoft.config import GRAPH_APP_SCOPE, AuthorityConfig, discovery_url
from adapters.microsoft.discovery import DiscoveryCache
from adapters.microsoft.http import LazyAsyncClient
from core.errors import ErrorCode, SignInError
from core.ports.clock import Clock

log = logging.getLogger(__name__)
_MARGIN = timedelta(minutes=5)  # renew before Graph could see an expired token


@dataclass(frozen=True)
class _AppToken:
    value: str
    expires_at: datetime


class AppTokens:
    """`await token(config)`: a Graph app token for the config's B2C tenant."""

    def __init__(self, http: LazyAsyncClient, discovery: DiscoveryCache, clock: Clock) -> None:
        self._http = http
        self._discovery = discovery
        self._clock = clock
        self._tokens: dict[str, _AppToken] = {}

    def forget(self, config: AuthorityConfig, authority: str | None = None) -> None:
        """Drop a cached token Graph refused."""
        self._tokens.pop(self._key(config, authority), None)

    async def token(self, config: AuthorityConfig, authority: str | None = None) -> str:
        """An app token from `authority` (a tenant authority URL; default: the config's
        `graph_authority`, the B2C tenant's)."""
        tenant_authority = authority or config.graph_authority
        key = self._key(config, authority)
        cached = self._tokens.get(key)
        now = self._clock.now()
        if cached is not None and now < cached.expires_at - _MARGIN:
            return cached.value
        if not tenant_authority:
            raise SignInError(ErrorCode.SERVER_ERROR, "no graph_authority configured for a B2C authority")
        metadata = await self._discovery.get(discovery_url(tenant_authority))
        form = {
            "grant_type": "client_credentials",
            "client_id": config.client_id,
            "client_secret": config.client_secret,
            "scope": GRAPH_APP_SCOPE,
        }
        try:
            response = await self._http.get().post(metadata.token_endpoint, data=form)
        except httpx.HTTPError as error:
            log.warning("Graph app token request failed: %s", type(error).__name__)
            raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "token endpoint unreachable") from None
        value, lifetime = self._parse(response)
        self._tokens[key] = _AppToken(value, now + timedelta(seconds=lifetime))
        return value

    @staticmethod
    def _key(config: AuthorityConfig, authority: str | None = None) -> str:
        return f"{authority or config.graph_authority}|{config.client_id}"

    @staticmethod
    def _parse(response: httpx.Response) -> tuple[str, int]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code in {400, 401} and isinstance(body, dict):
            log.warning("Graph app token refused: %s", body.get("error"))
            raise SignInError(ErrorCode.SERVER_ERROR, "app registration refused for Graph")
        if response.status_code != 200 or not isinstance(body, dict):
            status = response.status_code
            raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, f"token endpoint answered {status}")
        value, lifetime = body.get("access_token"), body.get("expires_in")
        if isinstance(lifetime, str) and lifetime.isdigit():  # the v1 endpoint sends strings
            lifetime = int(lifetime)
        if isinstance(value, str) and value and isinstance(lifetime, int) and not isinstance(lifetime, bool):
            return value, lifetime
        raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "token endpoint answer malformed")
