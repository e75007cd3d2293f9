"""The schema (design §2) as SQLAlchemy Core tables; the migrations must match it exactly.

The sign-in rules of design §3 are held by the database, not only by code:

- `users.email` is unique among users that have one (NULL for users created from an
  untrusted address: any number of NULLs is allowed on SQLite and PostgreSQL alike);
- one account per (issuer, object id); one provider per issuer and per email domain;
- one directory per domain and a single default directory: `domain_key` is generated as
  `coalesce(domain, '')`, so the default directory's key is '' and one unique index holds
  both rules on both backends;
- one membership per (user, workspace); an invite is applied once (see `invites.py`).

Invites refer to workspaces without a foreign key: they are records of what was offered and
outlive a deleted workspace, which then simply never matches (`applicable_for` joins
workspaces). Workspace ids are never reused (a sequence on PostgreSQL, AUTOINCREMENT on
SQLite), so an old invite can never land in a new workspace.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    false,
)

from adapters.sql.types import UTCDateTime
from core.model import InviteStatus, MappingSource, ProviderKind

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _one_of(column: str, values: type[InviteStatus] | type[ProviderKind] | type[MappingSource]) -> str:
    listed = ", ".join(f"'{member.value}'" for member in values)
    return f"{column} IN ({listed})"


workspaces = Table(
    "workspaces",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String, nullable=False),
    Column("frontend_host", String, nullable=False),
    Column("editors_invite", Boolean, nullable=False, server_default=false()),
    sqlite_autoincrement=True,
)

users = Table(
    "users",
    metadata,
    Column("id", String, primary_key=True),
    Column("email", String, nullable=True),
    Column("display_email", String, nullable=True),
    Column("display_name", String, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column(
        "last_workspace_id",
        Integer,
        ForeignKey("workspaces.id", ondelete="SET NULL"),
        nullable=True,
    ),
    Index("uq_users_email", "email", unique=True),
)

user_directories = Table(
    "user_directories",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", String, nullable=False),
    Column("domain", String, nullable=True),
    Column("domain_key", String, Computed("coalesce(domain, '')", persisted=True)),
    Column("created_at", UTCDateTime, nullable=False),
    Index("uq_user_directories_domain_key", "domain_key", unique=True),
)

identity_providers = Table(
    "identity_providers",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("issuer", String, nullable=False),
    Column("directory_id", String, ForeignKey("user_directories.id"), nullable=False),
    Column("trusted", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=True),
    Index("uq_identity_providers_issuer", "issuer", unique=True),
    CheckConstraint(_one_of("kind", ProviderKind), name="kind"),
)

provider_domains = Table(
    "provider_domains",
    metadata,
    Column("domain", String, primary_key=True),
    Column(
        "provider_id",
        String,
        ForeignKey("identity_providers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    # keeps the provider's `domains` tuple in the order it was given
    Column("position", Integer, nullable=False),
    Index(None, "provider_id"),
)

user_accounts = Table(
    "user_accounts",
    metadata,
    Column("id", String, primary_key=True),
    Column("user_id", String, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("issuer", String, nullable=False),
    Column("object_id", String, nullable=False),
    Column("tenant_id", String, nullable=True),
    Column("provider_id", String, ForeignKey("identity_providers.id"), nullable=False),
    Column("directory_id", String, ForeignKey("user_directories.id"), nullable=False),
    Column("email", String, nullable=True),
    Column("display_name", String, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_login_at", UTCDateTime, nullable=False),
    UniqueConstraint("issuer", "object_id"),
    Index(None, "user_id"),
)

roles = Table(
    "roles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", String, nullable=False),
    Column("rank", Integer, nullable=False),
    Index("uq_roles_name", "name", unique=True),
)

memberships = Table(
    "memberships",
    metadata,
    Column("user_id", String, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column(
        "workspace_id",
        Integer,
        ForeignKey("workspaces.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("role", String, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # 'direct' (invite, operator) or 'mapping' (a provider's role mapping, over base_role)
    Column("origin", String, nullable=False, server_default="direct"),
    Column("base_role", String, nullable=True),
    # the primary key's leading user_id also serves "memberships of a user"
    PrimaryKeyConstraint("user_id", "workspace_id"),
    Index(None, "workspace_id"),
)

invites = Table(
    "invites",
    metadata,
    Column("id", String, primary_key=True),
    Column("email", String, nullable=False),
    Column("workspace_id", Integer, nullable=False),
    Column("role", String, nullable=False),
    Column("status", String, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("applied_at", UTCDateTime, nullable=True),
    Column("applied_user_id", String, nullable=True),
    Column("invited_by", String, nullable=True),
    # SHA-256 of "{id}:{secret}" of the accept link; the secret itself is never stored
    Column("token_hash", String, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    Index(None, "email", "status"),
    Index(None, "workspace_id"),
    CheckConstraint(_one_of("status", InviteStatus), name="status"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String, primary_key=True),
    Column("user_id", String, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column(
        "account_id",
        String,
        ForeignKey("user_accounts.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("authority", String, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("idle_expires_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    # AES-GCM ciphertext of the Microsoft tokens; NULL once the session is revoked
    Column("microsoft_tokens", LargeBinary, nullable=True),
    # the ID token's sid and iss: Microsoft's session, named by front-channel logout
    Column("microsoft_sid", String, nullable=True),
    Column("microsoft_issuer", String, nullable=True),
    # when Microsoft last confirmed the session (NULL: at created_at), and the sweep's lease
    Column("confirmed_at", UTCDateTime, nullable=True),
    Column("confirm_lease_until", UTCDateTime, nullable=True),
    Index(None, "user_id"),
    Index(None, "microsoft_sid"),
    Index(None, "confirmed_at"),
)

role_mappings = Table(
    "role_mappings",
    metadata,
    Column("id", String, primary_key=True),
    Column(
        "provider_id",
        String,
        ForeignKey("identity_providers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("source", String, nullable=False),
    Column("value", String, nullable=False),
    # no foreign key, as for invites: a mapping to a removed workspace simply grants nothing
    Column("workspace_id", Integer, nullable=False),
    Column("role", String, nullable=False),
    UniqueConstraint("provider_id", "source", "value", "workspace_id"),
    CheckConstraint(_one_of("source", MappingSource), name="source"),
)

# Audit events outlive what they describe (a removed member, a deleted workspace): no
# foreign keys. `details` is a JSON object of strings.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", String, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_id", String, nullable=True),
    Column("action", String, nullable=False),
    Column("workspace_id", Integer, nullable=False),
    Column("target", String, nullable=False),
    Column("details", String, nullable=False),
    Column("correlation_id", String, nullable=False),
    Index(None, "workspace_id", "at"),
    Index(None, "at"),
)

# Resource servers allowed to introspect tokens; the secret is kept only as a SHA-256.
resource_clients = Table(
    "resource_clients",
    metadata,
    Column("id", String, primary_key=True),
    Column("secret_hash", String, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

ALL_TABLES = (
    "workspaces", "users", "user_directories", "identity_providers", "provider_domains",
    "user_accounts", "roles", "memberships", "invites", "sessions", "role_mappings", "audit_events",
    "resource_clients",
)
