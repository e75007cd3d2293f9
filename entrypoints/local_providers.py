"""The identity provider of a configured B2C or Entra External ID authority's local accounts
(email + password), registered without a manual step.

A B2C local-account sign-in carries the tenant's issuer and no `idp`, so the sign-in rules
look its provider up by that issuer; without one every such sign-in ends in
`access_denied`. Azure AD needs nothing here (a tenant's provider is created on its first
verified sign-in), nor do B2C's federated providers (named by `idp`, registered by the
operator). The issuer is the one the authority's discovery document announces, so it is
exactly what the ID-token validation accepts.

`db upgrade` and every start-up of the service run `ensure_local_providers`; it is
idempotent (and safe when several processes run it at once).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from adapters.microsoft import DiscoveryCache
from adapters.microsoft.config import discovery_url
from core.model import ProviderKind
from core.usecases.administration import Administration
from entrypoints.settings import Settings

log = logging.getLogger("azure_signin.providers")
LOCAL_ACCOUNTS = {"b2c": "Local accounts (B2C)", "external": "Local accounts (External ID)"}
RETRY_FIRST, RETRY_MOST = 5.0, 300.0  # seconds between start-up attempts (doubling)

T = TypeVar("T")
IssuerOf = Callable[[str], Awaitable[str]]  # an authority's URL -> its discovery issuer


async def authority_issuer(discovery: DiscoveryCache, authority: str) -> str:
    """The `issuer` an authority's discovery document announces (a B2C tenant's is
    `https://{host}/{tenant-guid}/v2.0/`, an External ID tenant's
    `https://{tenant-guid}.ciamlogin.com/{tenant-guid}/v2.0`), through the service's own
    discovery cache (the container's `discovery`): the logins that follow reuse the document.
    Raises `SignInError(temporarily_unavailable)` when Microsoft does not answer, and
    `ValueError` for a document that names no https issuer."""
    issuer = (await discovery.get(discovery_url(authority))).issuer
    if not issuer.startswith("https://"):
        raise ValueError("the discovery document names no https issuer")
    return issuer


def issuers_through(discovery: DiscoveryCache) -> IssuerOf:
    """`authority_issuer` bound to the container's discovery cache."""
    async def issuer_of(authority: str) -> str:
        return await authority_issuer(discovery, authority)
    return issuer_of


@dataclass(frozen=True)
class EnsuredProvider:
    authority: str  # the authority's name in SIGNIN_PROVIDERS
    issuer: str
    added: bool


async def ensure_local_providers(
    admin: Administration, settings: Settings, issuer_of: IssuerOf
) -> list[EnsuredProvider]:
    """Register the local-account provider of every configured B2C and External ID
    authority that has none. Raises when an authority's discovery cannot be read (see
    `authority_issuer`)."""
    wanted = []
    for authority in settings.authorities:
        name = LOCAL_ACCOUNTS.get(authority.kind)
        if name is not None:
            issuer = await issuer_of(authority.authority)
            wanted.append((authority.name, name, issuer))
    # The writes run to their end even when the caller is cancelled (a service stopping
    # right after it started): a unit of work cut mid-way would be cut from its connection
    # while the pool is being closed.
    return await _uncancelled(_register(admin, wanted))


async def _register(admin: Administration, wanted: list[tuple[str, str, str]]) -> list[EnsuredProvider]:
    done = []
    for authority, name, issuer in wanted:
        provider, added = await admin.ensure_provider(name, ProviderKind.LOCAL, issuer)
        if added:
            log.info("registered identity provider %r for %s's local accounts (issuer %s)",
                     provider.name, authority, issuer)
        done.append(EnsuredProvider(authority, issuer, added))
    return done


async def _uncancelled(job: Coroutine[Any, Any, T]) -> T:
    task = asyncio.ensure_future(job)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])  # bounded by SIGNIN_DATABASE_TIMEOUT
        raise


def needs_local_providers(settings: Settings) -> bool:
    return any(a.kind in LOCAL_ACCOUNTS for a in settings.authorities)


async def keep_ensuring(
    admin: Administration, settings: Settings, issuer_of: IssuerOf,
    *, first_wait: float = RETRY_FIRST,
) -> None:
    """At start-up: ensure, and while Microsoft's discovery (or the database) does not
    answer, try again later (doubling the wait up to 5 minutes). Never raises: the
    service starts whatever Microsoft's state; readiness reports that."""
    wait = first_wait
    while True:
        try:
            await ensure_local_providers(admin, settings, issuer_of)
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("local-account identity providers not ensured yet (%s); retrying in %.0f s",
                        type(error).__name__, wait)
        await asyncio.sleep(wait)
        wait = min(wait * 2, RETRY_MOST)
