"""Entities and value objects of the sign-in domain (design §2).

All are frozen dataclasses: a change is a new value (`dataclasses.replace`), so an adapter
can never be surprised by an object mutated behind its back. Times are timezone-aware UTC.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ProviderKind(StrEnum):
    """How the people of an identity provider authenticate."""

    LOCAL = "local"                      # B2C local accounts (email + password)
    EXTERNAL_AD = "external_ad"          # another organisation's Azure AD tenant
    SOCIAL = "social"                    # a federated IdP behind B2C (Google, Facebook, ...)
    MICROSOFT_ACCOUNT = "microsoft_account"  # personal Microsoft accounts


class GrantOrigin(StrEnum):
    """Where a membership's role comes from."""

    DIRECT = "direct"      # an invite or an operator's grant: the mapping never touches it
    MAPPING = "mapping"    # a provider's role mapping (app roles, groups): follows Microsoft


class MappingSource(StrEnum):
    """What a role mapping matches in the identity."""

    APP_ROLE = "app_role"  # a value of the ID token's `roles` claim
    GROUP = "group"        # a group object id (the `groups` claim, or Graph on overage)


class InviteStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    APPLIED = "applied"
    REVOKED = "revoked"


@dataclass(frozen=True)
class User:
    """A person. `email` is the normalised *verified* address, unique among users; a user
    created from an untrusted address has `email=None` and keeps the address only as
    `display_email`, so no email lookup ever finds it."""

    id: str
    email: str | None
    display_email: str | None
    display_name: str
    created_at: datetime
    disabled: bool = False
    last_workspace_id: int | None = None

    @property
    def email_verified(self) -> bool:
        return self.email is not None


@dataclass(frozen=True)
class UserAccount:
    """One way a user signs in: (issuer, object id) at one identity provider."""

    id: str
    user_id: str
    issuer: str
    object_id: str
    tenant_id: str | None
    provider_id: str
    directory_id: str
    email: str | None
    display_name: str
    created_at: datetime
    last_login_at: datetime


@dataclass(frozen=True)
class UserDirectory:
    """A group of accounts, one per organisation's email domain; `domain=None` is the
    default directory (local accounts, consumer domains)."""

    id: str
    name: str
    domain: str | None
    created_at: datetime


@dataclass(frozen=True)
class IdentityProvider:
    """How people authenticate. `issuer` is the sign-in type key: the token issuer for an
    Azure AD tenant or a B2C local account, the `idp` name for a federated one. When
    `trusted` is set, the provider vouches for addresses in its own `domains`."""

    id: str
    name: str
    kind: ProviderKind
    issuer: str
    directory_id: str
    domains: tuple[str, ...] = ()
    trusted: bool = False
    created_at: datetime | None = None

    def vouches_for(self, domain: str | None) -> bool:
        return self.trusted and domain is not None and domain in self.domains


@dataclass(frozen=True)
class Workspace:
    """A tenant of the customer application; its users land on `frontend_host`. When
    `editors_invite` is set, its editors may invite too (up to their own role)."""

    id: int
    name: str
    frontend_host: str
    editors_invite: bool = False


@dataclass(frozen=True)
class Role:
    """A named role; a higher `rank` grants more (owner > editor > viewer)."""

    id: int
    name: str
    rank: int


@dataclass(frozen=True)
class Membership:
    """(user, workspace, role). `origin` MAPPING: the role was granted by a provider's role
    mapping, over `base_role` (the role a direct grant gave before the mapping raised it;
    None when there was none), which comes back when the mapping no longer grants it."""

    user_id: str
    workspace_id: int
    role: str
    created_at: datetime
    origin: GrantOrigin = GrantOrigin.DIRECT
    base_role: str | None = None


@dataclass(frozen=True)
class RoleMapping:
    """A provider's rule: people of `provider_id` with app role / group `value` get `role`
    in `workspace_id`, for as long as Microsoft says they have it."""

    id: str
    provider_id: str
    source: MappingSource
    value: str
    workspace_id: int
    role: str


@dataclass(frozen=True)
class Invite:
    """An invitation of an address to a workspace with a role.

    An invite made over HTTP has an accept link: only the SHA-256 of its secret is kept
    (`token_hash`), and `invited_by` names the member who made it. Accepting it grants the
    role at once and records it as applied (`applied_at`, `applied_user_id`), so the sign-in
    rule never applies it a second time."""

    id: str
    email: str
    workspace_id: int
    role: str
    status: InviteStatus
    created_at: datetime
    expires_at: datetime | None = None
    applied_at: datetime | None = None
    applied_user_id: str | None = None
    invited_by: str | None = None
    token_hash: str | None = field(default=None, repr=False)
    revoked_at: datetime | None = None

    def applicable(self, now: datetime) -> bool:
        """Accepted, not yet applied, not revoked and not expired at `now`."""
        return self.status is InviteStatus.ACCEPTED and (
            self.expires_at is None or self.expires_at > now
        )


@dataclass(frozen=True)
class MicrosoftTokens:
    """What Microsoft gave for a session; adapters keep it encrypted at rest."""

    access_token: str | None = None
    refresh_token: str | None = None
    id_token: str | None = None

    def __repr__(self) -> str:  # never print a token by accident
        return "MicrosoftTokens(<redacted>)"


@dataclass(frozen=True)
class AuditEvent:
    """One change to a workspace, its invites or its members: who (`actor_id`, None for
    the operator's command line), what (`action`, `target`, `details`), where
    (`workspace_id`) and under which request (`correlation_id`)."""

    id: str
    at: datetime
    actor_id: str | None
    action: str
    workspace_id: int
    target: str
    details: tuple[tuple[str, str], ...] = ()
    correlation_id: str = "-"


@dataclass(frozen=True)
class Session:
    """One signed-in browser; its id is the service JWT's `sid`.

    `microsoft_sid` and `microsoft_issuer` are the `sid` and `iss` of the ID token it was
    opened with (Microsoft's own session, for front-channel logout). `confirmed_at` is when
    Microsoft last vouched for it (the sign-in, then each successful renewal of its refresh
    token); `confirm_lease_until` keeps two processes from re-validating it at once.
    """

    id: str
    user_id: str
    account_id: str
    authority: str
    created_at: datetime
    idle_expires_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    microsoft_tokens: MicrosoftTokens | None = field(default=None, repr=False)
    microsoft_sid: str | None = field(default=None, repr=False)
    microsoft_issuer: str | None = None
    confirmed_at: datetime | None = None
    confirm_lease_until: datetime | None = None

    @property
    def last_confirmed(self) -> datetime:
        """When Microsoft last vouched for the session (its creation, if never since)."""
        return self.confirmed_at if self.confirmed_at is not None else self.created_at

    def open_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.idle_expires_at and now < self.expires_at


@dataclass(frozen=True)
class ResourceClient:
    """A resource server allowed to introspect tokens (`POST /oauth2/introspect`). `id` is
    the operator's name for it (the client id); only a SHA-256 of its secret is kept."""

    id: str
    secret_hash: str = field(repr=False)
    created_at: datetime
