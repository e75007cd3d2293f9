"""`IdentityGateway` over MSAL: authorization-code flows with PKCE, state and nonce.

MSAL is synchronous, so every MSAL call runs in a bounded worker pool, under an overall
time budget; the event loop never waits on the network. MSAL's outcomes are mapped to
`SignInError`s (`adapters.msal.outcomes`); the ID token is then validated by the service
(`adapters.msal.id_token`), not by MSAL.
"""
from __future__ import annotations

import asyncio
import contextvars
import functools
import hmac
import json
import logging
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx
import msal

from adapters.microsoft.config import AuthorityConfig, discovery_url
from adapters.microsoft.discovery import DiscoveryCache
from adapters.microsoft.http import CallObserver, LazyAsyncClient
from adapters.msal.apps import AppRegistry
from adapters.msal.id_token import IdTokenValidator
from adapters.msal.jwks import JwksCache
from adapters.msal.outcomes import authorize_error, exception_outcome, renewal_error, token_error
from core.errors import ErrorCode, GrantRevoked, SignInError
from core.identity import AuthorizationRequest, LoginFlow, RedeemedLogin
from core.ports.clock import Clock

log = logging.getLogger(__name__)
T = TypeVar("T")


# MSAL 1.39 warns on every login that does not use response_mode=form_post. We answer in
# query mode on purpose: the flow-binding cookie is SameSite=Lax, which a browser does not
# send with the cross-site POST that form_post makes, so form_post would break the check
# that a login finishes in the browser that started it. What RFC 9700 4.3.1 guards against
# (a code in logs or a Referer) is covered otherwise: single-use PKCE-bound codes, an access
# log without query strings, Referrer-Policy: no-referrer. Hence the advice is silenced,
# for this one message only.
FORM_POST_ADVICE = r"response_mode='form_post' is recommended"


def _silence_form_post_advice() -> None:
    warnings.filterwarnings("ignore", message=FORM_POST_ADVICE, category=UserWarning)


class MsalGateway:
    """The identity gateway for the configured authorities (the first is the default).

    `timeout` bounds each HTTP call; `time_budget` (default: three timeouts) bounds a whole
    `begin` or `redeem`, queueing for a worker included. `http` and `discovery`: the
    process's shared client and discovery cache (`adapters.microsoft`), else its own.
    Close with `await aclose()` (a shared client is left to its owner).
    """

    def __init__(
        self,
        authorities: Sequence[AuthorityConfig],
        *,
        ca_bundle: str | None,
        timeout: float,
        clock: Clock,
        max_workers: int = 16,
        time_budget: float | None = None,
        jwks_refetch_interval: timedelta = timedelta(seconds=60),
        http: LazyAsyncClient | None = None,
        discovery: DiscoveryCache | None = None,
        observe: CallObserver | None = None,
    ) -> None:
        """`observe` is told of every HTTP call to Microsoft (metrics)."""
        if not authorities:
            raise ValueError("at least one authority is required")
        names = [a.name for a in authorities]
        if len(set(names)) != len(names):
            raise ValueError("authority names must be unique")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        _silence_form_post_advice()
        self._configs = {a.name: a for a in authorities}
        self._order = tuple(names)
        self._apps = AppRegistry(ca_bundle=ca_bundle, timeout=timeout, observe=observe,
                                 connections=max_workers)
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="msal")
        self._budget = time_budget or 3 * timeout
        # The container hands in the process's client and discovery cache (shared with the
        # Graph reader and the health checks, closed by the container); alone, it makes its own,
        # telling `observe` of every call.
        self._owns_http = http is None
        self._http = http or LazyAsyncClient(
            ca_bundle=ca_bundle, timeout=httpx.Timeout(timeout), observe=observe
        )
        self._discovery = discovery or DiscoveryCache(self._http, clock)
        jwks = JwksCache(self._http, clock, refetch_interval=jwks_refetch_interval)
        self._validator = IdTokenValidator(self._discovery, jwks, clock)

    # -- IdentityGateway -------------------------------------------------------------------

    def authorities(self) -> tuple[str, ...]:
        return self._order

    def can_reset_password(self, authority: str) -> bool:
        config = self._configs.get(authority)
        return config is not None and config.reset_authority is not None

    async def begin(
        self, authority: str, redirect_uri: str, *, password_reset: bool = False
    ) -> AuthorizationRequest:
        config = self._config(authority)
        url = self._authority_url(config, password_reset)
        flow = await self._bounded(self._begin, config, url, redirect_uri)
        return AuthorizationRequest(state=flow["state"], auth_uri=flow["auth_uri"], protocol=flow)

    async def redeem(self, flow: LoginFlow, reply: Mapping[str, str]) -> RedeemedLogin:
        config = self._config(flow.authority)
        protocol = dict(flow.protocol)
        expected = protocol.get("state")
        given = reply.get("state")
        if not (isinstance(expected, str) and isinstance(given, str) and expected == flow.state
                and hmac.compare_digest(expected.encode(), given.encode())):
            raise SignInError(ErrorCode.INVALID_REQUEST, "the reply's state is not the flow's")
        code = reply.get("code")
        if not code:
            if reply.get("error"):
                raise authorize_error(reply)
            raise SignInError(ErrorCode.INVALID_REQUEST, "the reply has neither code nor error")
        if not isinstance(protocol.get("nonce"), str):
            raise SignInError(ErrorCode.INVALID_REQUEST, "the flow has no nonce")
        url = self._authority_url(config, flow.password_reset)
        redeemed: RedeemedLogin = await self._bounded(
            self._redeem, config, url, protocol, {"state": given, "code": code}
        )
        return redeemed

    async def renew(self, authority: str, refresh_token: str) -> RedeemedLogin:
        config = self._config(authority)
        if not refresh_token:
            raise SignInError(ErrorCode.INVALID_REQUEST, "no refresh token")
        return await self._bounded(self._renew, config, refresh_token)

    def end_session_url(self, authority: str, post_logout_redirect_uri: str | None) -> str | None:
        """From the discovery document once it has been fetched (any login or `warm_up`);
        until then, from the authority by Microsoft's documented `/oauth2/v2.0/logout` path."""
        config = self._configs.get(authority)
        if config is None:
            return None
        metadata = self._discovery.cached(discovery_url(config.authority))
        if metadata is not None:
            endpoint = metadata.end_session_endpoint
        else:
            base, _, query = config.authority.partition("?")
            endpoint = f"{base}/oauth2/v2.0/logout" + (f"?{query}" if query else "")
        if endpoint is None:
            return None
        if not post_logout_redirect_uri:
            return endpoint
        joiner = "&" if "?" in endpoint else "?"
        return f"{endpoint}{joiner}{urlencode({'post_logout_redirect_uri': post_logout_redirect_uri})}"

    # -- lifecycle ---------------------------------------------------------------------------

    async def warm_up(self) -> None:
        """Build every app and fetch every discovery document now (at start-up), rather
        than on the first login. Failures are logged, not raised: a later login retries."""
        for config in self._configs.values():
            try:
                await self._bounded(self._build, config, config.authority)
            except SignInError as error:
                log.warning("authority %s not ready: %s", config.name, error.code.value)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._apps.close()  # MSAL's own connections (token endpoint, its discovery)

    # -- the steps ---------------------------------------------------------------------------

    def _config(self, authority: str) -> AuthorityConfig:
        config = self._configs.get(authority)
        if config is None:
            raise SignInError(ErrorCode.INVALID_REQUEST, "unknown authority")
        return config

    @staticmethod
    def _authority_url(config: AuthorityConfig, password_reset: bool) -> str:
        if not password_reset:
            return config.authority
        if config.reset_authority is None:
            raise SignInError(ErrorCode.INVALID_REQUEST, "this authority has no password-reset policy")
        return config.reset_authority

    async def _bounded(self, step: Callable[..., Awaitable[T]], *args: Any) -> T:
        try:
            return await asyncio.wait_for(step(*args), timeout=self._budget)
        except TimeoutError:
            raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "Microsoft took too long") from None

    async def _in_pool(self, call: Callable[..., T], *args: Any, redeeming: bool = False) -> T:
        loop = asyncio.get_running_loop()
        try:
            # in the caller's context (correlation id, trace span): run_in_executor copies none
            context = contextvars.copy_context()
            return await loop.run_in_executor(self._pool, functools.partial(context.run, call, *args))
        except SignInError:
            raise
        except Exception as error:
            outcome = exception_outcome(error, redeeming=redeeming)
            log.warning("MSAL call failed: %s -> %s", type(error).__name__, outcome.code.value)
            raise outcome from None

    async def _build(self, config: AuthorityConfig, url: str) -> msal.ConfidentialClientApplication:
        app = await self._in_pool(self._apps.app, config, url)
        await self._discovery.get(discovery_url(url))
        return app

    async def _begin(self, config: AuthorityConfig, url: str, redirect_uri: str) -> dict[str, Any]:
        app = await self._build(config, url)
        scopes = list(config.scopes or ())
        flow = await self._in_pool(lambda: app.initiate_auth_code_flow(scopes, redirect_uri))
        # Kept as JSON by the flow store: make sure it is plain JSON, nothing MSAL-specific.
        plain: dict[str, Any] = json.loads(json.dumps(flow))
        return plain

    async def _redeem(
        self, config: AuthorityConfig, url: str, protocol: dict[str, Any], reply: dict[str, str]
    ) -> RedeemedLogin:
        app = await self._build(config, url)
        result = await self._in_pool(app.acquire_token_by_auth_code_flow, protocol, reply, redeeming=True)
        if not isinstance(result, dict):
            raise SignInError(ErrorCode.INVALID_TOKEN, "unexpected token response")
        if "error" in result:
            outcome = token_error(result)
            log.warning("token endpoint refused the code: %s", outcome.code.value)
            raise outcome
        id_token = result.get("id_token")
        if not isinstance(id_token, str):
            raise SignInError(ErrorCode.INVALID_TOKEN, "no id_token in the token response")
        claims = await self._validator.validate(config, id_token, protocol["nonce"], authority_url=url)
        return RedeemedLogin(
            authority=config.name,
            claims=claims,
            access_token=result.get("access_token"),
            refresh_token=result.get("refresh_token"),
            id_token=id_token,
        )

    async def _renew(self, config: AuthorityConfig, refresh_token: str) -> RedeemedLogin:
        app = await self._build(config, config.authority)
        scopes = list(config.scopes or ())
        result = await self._in_pool(
            lambda: app.acquire_token_by_refresh_token(refresh_token, scopes), redeeming=True
        )
        if not isinstance(result, dict):
            raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "unexpected token response")
        if "error" in result:
            outcome = renewal_error(result)
            label = outcome.reason if isinstance(outcome, GrantRevoked) else outcome.code.value
            log.warning("token endpoint refused a refresh token: %s", label)
            raise outcome
        id_token = result.get("id_token")
        if not isinstance(id_token, str):  # without one, nothing says who Microsoft renewed
            raise SignInError(ErrorCode.INVALID_TOKEN, "no id_token in the renewal")
        claims = await self._validator.validate(config, id_token, None)
        return RedeemedLogin(
            authority=config.name,
            claims=claims,
            access_token=result.get("access_token"),
            refresh_token=result.get("refresh_token"),
            id_token=id_token,
        )
