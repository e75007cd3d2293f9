"""User directories and identity providers (with their email domains)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, insert, select

from adapters.sql.repositories.base import SqlRepository
from adapters.sql.tables import identity_providers, provider_domains, user_directories
from core.model import IdentityProvider, ProviderKind, UserDirectory

_DIRECTORY_COLUMNS = (
    user_directories.c.id,
    user_directories.c.name,
    user_directories.c.domain,
    user_directories.c.created_at,
)


def _directory(row: RowMapping) -> UserDirectory:
    return UserDirectory(
        id=row["id"], name=row["name"], domain=row["domain"], created_at=row["created_at"]
    )


class SqlDirectoryRepository(SqlRepository):
    """Directories; `domain_key` (generated, '' for the default) is their unique key."""

    async def _one(self, condition: ColumnElement[bool]) -> UserDirectory | None:
        result = await self._execute(select(*_DIRECTORY_COLUMNS).where(condition))
        row = result.mappings().first()
        return None if row is None else _directory(row)

    async def by_domain(self, domain: str) -> UserDirectory | None:
        if not domain:
            return None
        # through domain_key, so the unique index serves the lookup
        return await self._one(user_directories.c.domain_key == domain)

    async def default(self) -> UserDirectory | None:
        return await self._one(user_directories.c.domain_key == "")

    async def add(self, directory: UserDirectory) -> None:
        await self._execute(
            insert(user_directories).values(
                id=directory.id,
                name=directory.name,
                domain=directory.domain,
                created_at=directory.created_at,
            )
        )


def _providers(rows: Sequence[RowMapping]) -> list[IdentityProvider]:
    """Fold provider rows left-joined with their domains (ordered by provider, position)."""
    found: dict[str, tuple[RowMapping, list[str]]] = {}
    for row in rows:
        _, domains = found.setdefault(row["id"], (row, []))
        if row["domain"] is not None:
            domains.append(row["domain"])
    return [
        IdentityProvider(
            id=row["id"],
            name=row["name"],
            kind=ProviderKind(row["kind"]),
            issuer=row["issuer"],
            directory_id=row["directory_id"],
            domains=tuple(domains),
            trusted=bool(row["trusted"]),
            created_at=row["created_at"],
        )
        for row, domains in found.values()
    ]


def _with_domains(condition: ColumnElement[bool] | None) -> Any:
    """One statement: the matching providers with all of their domains."""
    statement = (
        select(identity_providers, provider_domains.c.domain)
        .outerjoin(provider_domains, provider_domains.c.provider_id == identity_providers.c.id)
        .order_by(identity_providers.c.id, provider_domains.c.position)
    )
    return statement if condition is None else statement.where(condition)


class SqlProviderRepository(SqlRepository):
    """Identity providers; one per issuer, and one per email domain (`provider_domains`)."""

    async def _one(self, condition: ColumnElement[bool]) -> IdentityProvider | None:
        rows = (await self._execute(_with_domains(condition))).mappings().all()
        found = _providers(rows)
        return found[0] if found else None

    async def get(self, provider_id: str) -> IdentityProvider | None:
        return await self._one(identity_providers.c.id == provider_id)

    async def by_issuer(self, issuer: str) -> IdentityProvider | None:
        return await self._one(identity_providers.c.issuer == issuer)

    async def by_domain(self, domain: str) -> IdentityProvider | None:
        owner = select(provider_domains.c.provider_id).where(provider_domains.c.domain == domain)
        return await self._one(identity_providers.c.id == owner.scalar_subquery())

    async def add(self, provider: IdentityProvider) -> None:
        await self._execute(
            insert(identity_providers).values(
                id=provider.id,
                name=provider.name,
                kind=provider.kind.value,
                issuer=provider.issuer,
                directory_id=provider.directory_id,
                trusted=provider.trusted,
                created_at=provider.created_at,
            )
        )
        if provider.domains:
            await self._execute(
                insert(provider_domains),
                [
                    {"domain": domain, "provider_id": provider.id, "position": position}
                    for position, domain in enumerate(provider.domains)
                ],
            )

    async def list(self) -> Sequence[IdentityProvider]:
        rows = (await self._execute(_with_domains(None))).mappings()
        return _providers(rows.all())
