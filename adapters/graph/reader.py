"""`ProfileReader` over Microsoft Graph: `/me` with the user's token (Azure AD) or
`/users/{oid}` with an app token (B2C), `$select`ing only what the identity needs; on group
overage, the user's groups from `/users/{oid}/transitiveMemberOf` with an app token of the
user's tenant, at most `MAX_GROUP_PAGES` pages, within the same time budget.

One `httpx.AsyncClient` per process (made in the running loop), connect and read timeouts,
and an overall time budget per read. A 429 is retried once after `Retry-After` when that
still fits the budget. Answers map to errors as in docs/microsoft.md.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from adapters.graph.app_tokens import AppTokens
from adapters.graph.identity import azure_ad_identity, b2c_identity, external_id_identity, groups_overage
from adapters.microsoft.config import AuthorityConfig, is_guid
from adapters.microsoft.discovery import DiscoveryCache
from adapters.microsoft.http import CallObserver, LazyAsyncClient
from core.errors import ErrorCode, SignInError
from core.identity import ExternalIdentity, RedeemedLogin
from core.ports.clock import Clock

log = logging.getLogger(__name__)
SELECT = "id,displayName,mail,otherMails,userPrincipalName,identities"
MAX_GROUP_PAGES = 10
_DEFAULT_RETRY_AFTER = 1.0


def _unavailable(detail: str) -> SignInError:
    return SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, detail)


class GraphProfileReader:
    """Reads profiles for the configured authorities. Close with `await aclose()`."""

    def __init__(
        self,
        authorities: Sequence[AuthorityConfig],
        *,
        base_url: str,
        ca_bundle: str | None,
        connect_timeout: float,
        read_timeout: float,
        clock: Clock,
        time_budget: float,
        transport: httpx.AsyncBaseTransport | None = None,
        http: LazyAsyncClient | None = None,
        discovery: DiscoveryCache | None = None,
        observe: CallObserver | None = None,
    ) -> None:
        """`http` and `discovery`: the process's shared client and discovery cache
        (`adapters.microsoft`, from the container, which closes them); without them the
        reader makes its own from the timeouts, telling `observe` of every HTTP call
        (metrics; a shared client observes its calls itself). `transport` is for tests (an
        `httpx.MockTransport`); leave it out otherwise."""
        if time_budget <= 0 or connect_timeout <= 0 or read_timeout <= 0:
            raise ValueError("timeouts and the time budget must be positive")
        self._configs = {a.name: a for a in authorities}
        self._base = base_url.rstrip("/") + "/"
        self._clock = clock
        self._budget = time_budget
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout, pool=connect_timeout)
        self._owns_http = http is None
        self._http = http or LazyAsyncClient(
            ca_bundle=ca_bundle, timeout=timeout, transport=transport, observe=observe
        )
        self._app_tokens = AppTokens(self._http, discovery or DiscoveryCache(self._http, clock), clock)

    async def read(self, login: RedeemedLogin) -> ExternalIdentity:
        config = self._configs.get(login.authority)
        if config is None:
            raise SignInError(ErrorCode.INVALID_REQUEST, "unknown authority")
        oid = login.claims.get("oid")
        if not is_guid(oid):
            raise SignInError(ErrorCode.INVALID_TOKEN, "token has no object id")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._budget
        try:
            return await asyncio.wait_for(self._identity(config, login, str(oid), deadline), self._budget)
        except TimeoutError:
            raise _unavailable("Graph took too long") from None

    async def _identity(
        self, config: AuthorityConfig, login: RedeemedLogin, oid: str, deadline: float
    ) -> ExternalIdentity:
        profile = await self._profile(config, login, oid, deadline)
        if profile.get("id") != oid:
            raise SignInError(ErrorCode.INVALID_TOKEN, "profile is not the token's object")
        if config.kind == "aad":
            identity = azure_ad_identity(login.claims, profile)
        elif config.kind == "external":
            identity = external_id_identity(login.claims, profile)
        else:
            identity = b2c_identity(login.claims, profile)
        if groups_overage(login.claims):
            identity = replace(identity, groups=await self._groups(config, identity, oid))
        return identity

    async def _groups(self, config: AuthorityConfig, identity: ExternalIdentity, oid: str) -> tuple[str, ...]:
        """Every group the user is in, directly or not (overage). More than
        `MAX_GROUP_PAGES` pages is refused (`server_error`): roles are never decided on a
        partial list."""
        authority = None
        if config.kind in ("aad", "external"):
            parts = urlsplit(config.authority)
            authority = f"{parts.scheme}://{parts.netloc}/{identity.tenant_id}"
        token = await self._app_tokens.token(config, authority)
        url: str | None = f"{self._base}users/{quote(oid, safe='')}/transitiveMemberOf/microsoft.graph.group"
        params: dict[str, str] | None = {"$select": "id", "$top": "999"}
        found: list[str] = []
        for _ in range(MAX_GROUP_PAGES):
            assert url is not None
            response = await self._get(url, token, params)
            if response.status_code == 401:
                self._app_tokens.forget(config, authority)
                raise _unavailable("Graph refused the app token")
            body = self._body(config, response)
            values = body.get("value")
            if not isinstance(values, list):
                raise _unavailable("Graph answered a group page without a list")
            found += [v["id"].lower() for v in values if isinstance(v, dict) and isinstance(v.get("id"), str)]
            url, params = body.get("@odata.nextLink"), None
            if url is None:
                return tuple(dict.fromkeys(found))
            if not isinstance(url, str) or not url.startswith(self._base):
                raise _unavailable("Graph named a next page elsewhere")  # never follow a link away
        log.warning("group overage beyond %s pages", MAX_GROUP_PAGES)
        raise SignInError(ErrorCode.SERVER_ERROR, "the user is in too many groups to read")

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _profile(
        self, config: AuthorityConfig, login: RedeemedLogin, oid: str, deadline: float
    ) -> Mapping[str, Any]:
        if config.kind in ("aad", "external"):  # the user's own token, delegated User.Read
            if not login.access_token:
                raise SignInError(ErrorCode.INVALID_TOKEN, "no access token for Graph")
            token, url = login.access_token, f"{self._base}me"
        else:
            token, url = await self._app_tokens.token(config), f"{self._base}users/{quote(oid, safe='')}"
        for attempt in (1, 2):
            response = await self._get(url, token, {"$select": SELECT})
            if response.status_code != 429:
                break
            wait = self._retry_after(response)
            loop = asyncio.get_running_loop()
            if attempt == 2 or loop.time() + wait >= deadline:
                raise _unavailable("Graph is throttling")
            log.info("Graph throttled; retrying once in %.1f s", wait)
            await asyncio.sleep(wait)
        return self._body(config, response)

    async def _get(self, url: str, token: str, params: dict[str, str] | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            return await self._http.get().get(url, params=params, headers=headers)
        except httpx.HTTPError as error:
            log.warning("Graph request failed: %s", type(error).__name__)
            raise _unavailable("Graph unreachable") from None

    def _retry_after(self, response: httpx.Response) -> float:
        value = response.headers.get("Retry-After", "").strip()
        if value.isdigit():
            return float(value)
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return _DEFAULT_RETRY_AFTER
        if moment.tzinfo is None:
            return _DEFAULT_RETRY_AFTER
        return max(0.0, (moment - self._clock.now()).total_seconds())

    def _body(self, config: AuthorityConfig, response: httpx.Response) -> Mapping[str, Any]:
        status = response.status_code
        if status == 401:
            if config.kind == "b2c":
                self._app_tokens.forget(config)
                raise _unavailable("Graph refused the app token")
            raise SignInError(ErrorCode.INVALID_TOKEN, "Graph refused the user's token")
        if status == 404:
            raise SignInError(ErrorCode.INVALID_TOKEN, "Graph knows no such user")
        if status == 403:
            raise SignInError(ErrorCode.SERVER_ERROR, "the app may not read this profile")
        if status != 200:
            log.warning("Graph answered HTTP %s", status)
            busy = status >= 500 or status == 429
            code = ErrorCode.TEMPORARILY_UNAVAILABLE if busy else ErrorCode.SERVER_ERROR
            raise SignInError(code, f"Graph answered {status}")
        if "json" not in response.headers.get("content-type", "").lower():
            raise _unavailable("Graph answered something that is not JSON")
        try:
            body = response.json()
        except ValueError:
            raise _unavailable("Graph answered invalid JSON") from None
        if not isinstance(body, dict):
            raise _unavailable("Graph answered something that is not an object")
        return body
