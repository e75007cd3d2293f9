"""Small builders of domain values for the core tests."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from core.identity import ExternalIdentity, SignInKind
from core.model import (
    IdentityProvider,
    Invite,
    InviteStatus,
    Membership,
    ProviderKind,
    Role,
    User,
    UserAccount,
    UserDirectory,
)

T0 = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
TENANT_1 = "11111111-1111-1111-1111-111111111111"
TENANT_2 = "22222222-2222-2222-2222-222222222222"
B2C_TENANT = "b2c00000-0000-0000-0000-000000000000"
B2C_ISSUER = f"https://login.fake.invalid/{B2C_TENANT}/v2.0/"
ROLES = {"owner": Role(1, "owner", 30), "editor": Role(2, "editor", 20), "viewer": Role(3, "viewer", 10)}

_counter = itertools.count(1)


def new_id() -> str:
    return f"id-{next(_counter)}"


def issuer_of(tenant: str) -> str:
    return f"https://login.fake.invalid/{tenant}/v2.0"


def aad(email: str | None, *, tenant: str = TENANT_1, oid: str = "oid-1", verified: bool = True,
        name: str = "Someone") -> ExternalIdentity:
    return ExternalIdentity(issuer_of(tenant), tenant, oid, email, verified, name, SignInKind.AZURE_AD)


def local(email: str | None, *, oid: str = "local-1", verified: bool = True) -> ExternalIdentity:
    return ExternalIdentity(B2C_ISSUER, B2C_TENANT, oid, email, verified, "Local", SignInKind.LOCAL)


def federated(email: str | None, *, idp: str | None = "google.com", oid: str = "fed-1",
              verified: bool = False) -> ExternalIdentity:
    return ExternalIdentity(B2C_ISSUER, B2C_TENANT, oid, email, verified, "Fed", SignInKind.FEDERATED, idp)


def user(email: str | None = "alice@contoso.com", *, id: str = "u-1", disabled: bool = False,
         last_workspace_id: int | None = None) -> User:
    return User(id, email, email, "Alice", T0, disabled, last_workspace_id)


def directory(domain: str | None = "contoso.com", *, id: str = "dir-1") -> UserDirectory:
    return UserDirectory(id, domain or "Default directory", domain, T0)


def provider(issuer: str, *, kind: ProviderKind = ProviderKind.EXTERNAL_AD, domains: tuple[str, ...] = (),
             trusted: bool = False, id: str = "p-1", directory_id: str = "dir-1") -> IdentityProvider:
    return IdentityProvider(id, "Provider", kind, issuer, directory_id, domains, trusted, T0)


def account(of: User, identity: ExternalIdentity, *, id: str = "a-1") -> UserAccount:
    return UserAccount(id, of.id, identity.issuer, identity.object_id, identity.tenant_id, "p-1", "dir-1",
                       identity.email, identity.display_name, T0, T0)


def invite(email: str = "alice@contoso.com", *, workspace_id: int = 1, role: str = "viewer",
           status: InviteStatus = InviteStatus.ACCEPTED, expires_at: datetime | None = None,
           id: str | None = None, created: timedelta = timedelta(0)) -> Invite:
    return Invite(id or new_id(), email, workspace_id, role, status, T0 + created, expires_at)


def membership(of: User, workspace_id: int, role: str) -> Membership:
    return Membership(of.id, workspace_id, role, T0)
