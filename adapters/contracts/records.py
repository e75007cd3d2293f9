"""Builders of valid records for the unit-of-work contract.

Ids are UUID strings (what `IdGenerator.new_id` gives) and every reference points at a row
the test wrote first, so adapters with UUID columns and foreign keys pass as well.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from core.model import (
    IdentityProvider,
    Invite,
    InviteStatus,
    Membership,
    MicrosoftTokens,
    ProviderKind,
    Role,
    Session,
    User,
    UserAccount,
    UserDirectory,
)
from core.ports.unit_of_work import UnitOfWork

T0 = datetime(2025, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
ISSUER = "https://login.example.com/11111111-1111-1111-1111-111111111111/v2.0"
ROLES = (
    Role(id=1, name="owner", rank=30),
    Role(id=2, name="editor", rank=20),
    Role(id=3, name="viewer", rank=10),
)


def new_id() -> str:
    return str(uuid.uuid4())


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def user(email: str | None = None, *, verified: bool = True, created: float = 0, **changes: Any) -> User:
    values: dict[str, Any] = {
        "id": new_id(),
        "email": email if verified else None,
        "display_email": email,
        "display_name": "Person",
        "created_at": at(created),
    }
    return User(**{**values, **changes})


def directory(domain: str | None, **changes: Any) -> UserDirectory:
    values: dict[str, Any] = {"id": new_id(), "name": domain or "default", "domain": domain, "created_at": T0}
    return UserDirectory(**{**values, **changes})


def provider(
    issuer: str, directory_id: str, domains: tuple[str, ...] = (), **changes: Any
) -> IdentityProvider:
    values: dict[str, Any] = {
        "id": new_id(),
        "name": issuer,
        "kind": ProviderKind.EXTERNAL_AD,
        "issuer": issuer,
        "directory_id": directory_id,
        "domains": domains,
        "trusted": bool(domains),
        "created_at": T0,
    }
    return IdentityProvider(**{**values, **changes})


def account(
    owner: User, place: IdentityProvider, object_id: str | None = None, **changes: Any
) -> UserAccount:
    values: dict[str, Any] = {
        "id": new_id(),
        "user_id": owner.id,
        "issuer": place.issuer,
        "object_id": object_id or new_id(),
        "tenant_id": "11111111-1111-1111-1111-111111111111",
        "provider_id": place.id,
        "directory_id": place.directory_id,
        "email": owner.display_email,
        "display_name": owner.display_name,
        "created_at": T0,
        "last_login_at": at(1),
    }
    return UserAccount(**{**values, **changes})


def membership(owner: User, workspace_id: int, role: str = "viewer") -> Membership:
    return Membership(user_id=owner.id, workspace_id=workspace_id, role=role, created_at=T0)


def invite(email: str, workspace_id: int, *, created: float = 0, **changes: Any) -> Invite:
    values: dict[str, Any] = {
        "id": new_id(),
        "email": email,
        "workspace_id": workspace_id,
        "role": "editor",
        "status": InviteStatus.ACCEPTED,
        "created_at": at(created),
    }
    return Invite(**{**values, **changes})


def session(acct: UserAccount, *, created: float = 0, **changes: Any) -> Session:
    values: dict[str, Any] = {
        "id": new_id(),
        "user_id": acct.user_id,
        "account_id": acct.id,
        "authority": "b2c",
        "created_at": at(created),
        "idle_expires_at": at(created + 3600),
        "expires_at": at(created + 8 * 3600),
        "microsoft_tokens": MicrosoftTokens(access_token="at", refresh_token="rt", id_token="it"),
    }
    return Session(**{**values, **changes})


class Person:
    """A user with one account, at a provider of its own (in a directory of its own) unless
    `place` is given; `add` writes whatever of it is new."""

    def __init__(
        self,
        email: str | None = "alice@contoso.com",
        *,
        place: IdentityProvider | None = None,
        verified: bool = True,
    ) -> None:
        tenant = new_id()
        self.directory = directory(f"{tenant}.example")
        self.provider = place or provider(f"https://login.example.com/{tenant}/v2.0", self.directory.id)
        self._own_place = place is None
        self.user = user(email, verified=verified)
        self.account = account(self.user, self.provider)

    async def add(self, uow: UnitOfWork, *, with_account: bool = True) -> Person:
        if self._own_place:
            await uow.directories.add(self.directory)
            await uow.providers.add(self.provider)
        await uow.users.add(self.user)
        if with_account:
            await uow.accounts.add(self.account)
        return self


async def add_roles(uow: UnitOfWork) -> None:
    for role in ROLES:
        await uow.roles.add(role)
