"""In-memory repositories of user directories and identity providers."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from adapters.memory.schema import Tables
from core.model import IdentityProvider, UserDirectory


class MemoryDirectoryRepository:
    """`DirectoryRepository` over a unit's working set: one directory per domain, and one
    default (the directory whose domain is None)."""

    def __init__(self, tables: Callable[[], Tables]) -> None:
        self._tables = tables

    async def by_domain(self, domain: str) -> UserDirectory | None:
        if not domain:  # as in SQL, where domain = NULL matches nothing: the default has none
            return None
        return self._tables().directories.find("domain", domain)

    async def default(self) -> UserDirectory | None:
        return self._tables().directories.find("domain", None)

    async def add(self, directory: UserDirectory) -> None:
        self._tables().directories.insert(directory)


class MemoryProviderRepository:
    """`ProviderRepository` over a unit's working set: one provider per issuer and per
    email domain."""

    def __init__(self, tables: Callable[[], Tables]) -> None:
        self._tables = tables

    async def get(self, provider_id: str) -> IdentityProvider | None:
        return self._tables().providers.get(provider_id)

    async def by_issuer(self, issuer: str) -> IdentityProvider | None:
        return self._tables().providers.find("issuer", issuer)

    async def by_domain(self, domain: str) -> IdentityProvider | None:
        return self._tables().providers.find("domain", domain)

    async def add(self, provider: IdentityProvider) -> None:
        self._tables().providers.insert(provider)

    async def list(self) -> Sequence[IdentityProvider]:
        """In the order they were added."""
        return self._tables().providers.rows()
