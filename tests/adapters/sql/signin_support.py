"""Builders for the sign-in tests over the SQL adapter."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from adapters.sql import SqlDatabase
from core.identity import ExternalIdentity, SignInKind
from core.model import Invite, InviteStatus, Role
from core.ports.unit_of_work import UnitOfWorkFactory

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
ROLES = (Role(1, "owner", 30), Role(2, "editor", 20), Role(3, "viewer", 10))


def tenant_of(domain: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, domain))


def person(name: str, domain: str) -> ExternalIdentity:
    """An Azure AD user of `domain`'s own tenant, whose email the tenant verified."""
    tenant = tenant_of(domain)
    return ExternalIdentity(
        issuer=f"https://login.example.com/{tenant}/v2.0",
        tenant_id=tenant,
        object_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}@{domain}")),
        email=f"{name}@{domain}",
        email_verified=True,
        display_name=name.title(),
        kind=SignInKind.AZURE_AD,
    )


async def add_workspace_with_roles(database: SqlDatabase, *, roles: bool = True) -> int:
    async with database.unit_of_work() as uow:
        if roles and not await uow.roles.list():
            for role in ROLES:
                await uow.roles.add(role)
        workspace = await uow.workspaces.add("Contoso", "https://contoso.example.com")
        await uow.commit()
    return workspace.id


async def invite(database: SqlDatabase, email: str, workspace_id: int, **changes: Any) -> Invite:
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "email": email,
        "workspace_id": workspace_id,
        "role": "editor",
        "status": InviteStatus.ACCEPTED,
        "created_at": EPOCH,
    }
    created = Invite(**{**values, **changes})
    async with database.unit_of_work() as uow:
        await uow.invites.add(created)
        await uow.commit()
    return created


class _FailingAccounts:
    def __init__(self, accounts: Any, owner: FailingAfterAccountInsert):
        self._accounts = accounts
        self._owner = owner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._accounts, name)

    async def add(self, account: Any) -> None:
        await self._accounts.add(account)
        self._owner.account_inserted = True
        raise RuntimeError("injected failure after the account insert")


class FailingAfterAccountInsert:
    """A unit-of-work factory whose units fail right after inserting an account."""

    def __init__(self, factory: UnitOfWorkFactory):
        self._factory = factory
        self.account_inserted = False

    def __call__(self) -> Any:
        owner = self
        inner = self._factory()

        class _Unit:
            async def __aenter__(self) -> Any:
                uow = await inner.__aenter__()
                uow.accounts = _FailingAccounts(uow.accounts, owner)
                return uow

            async def __aexit__(self, *exc: Any) -> None:
                await inner.__aexit__(*exc)

        return _Unit()
