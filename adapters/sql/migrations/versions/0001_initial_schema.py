"""Initial schema: users, accounts, directories, providers, workspaces, roles, memberships,
invites, sessions.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types at this revision: a migration must not change when the
# application's types do.
UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("frontend_host", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workspaces"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("display_email", sa.String(), nullable=True),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("last_workspace_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["last_workspace_id"], ["workspaces.id"],
            name="fk_users_last_workspace_id_workspaces", ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
    )
    op.create_index("uq_users_email", "users", ["email"], unique=True)
    op.create_table(
        "user_directories",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("domain", sa.String(), nullable=True),
        sa.Column("domain_key", sa.String(), sa.Computed("coalesce(domain, '')", persisted=True)),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_user_directories"),
    )
    op.create_index(
        "uq_user_directories_domain_key", "user_directories", ["domain_key"], unique=True
    )
    op.create_table(
        "identity_providers",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("issuer", sa.String(), nullable=False),
        sa.Column("directory_id", sa.String(), nullable=False),
        sa.Column("trusted", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=True),
        sa.CheckConstraint(
            "kind IN ('local', 'external_ad', 'social', 'microsoft_account')",
            name="ck_identity_providers_kind",
        ),
        sa.ForeignKeyConstraint(
            ["directory_id"], ["user_directories.id"],
            name="fk_identity_providers_directory_id_user_directories",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_identity_providers"),
    )
    op.create_index("uq_identity_providers_issuer", "identity_providers", ["issuer"], unique=True)
    op.create_table(
        "provider_domains",
        sa.Column("domain", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["identity_providers.id"],
            name="fk_provider_domains_provider_id_identity_providers", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("domain", name="pk_provider_domains"),
    )
    op.create_index("ix_provider_domains_provider_id", "provider_domains", ["provider_id"])
    op.create_table(
        "user_accounts",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("issuer", sa.String(), nullable=False),
        sa.Column("object_id", sa.String(), nullable=False),
        sa.Column("tenant_id", sa.String(), nullable=True),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("directory_id", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("last_login_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["directory_id"], ["user_directories.id"],
            name="fk_user_accounts_directory_id_user_directories",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["identity_providers.id"],
            name="fk_user_accounts_provider_id_identity_providers",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_user_accounts_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_user_accounts"),
        sa.UniqueConstraint("issuer", "object_id", name="uq_user_accounts_issuer_object_id"),
    )
    op.create_index("ix_user_accounts_user_id", "user_accounts", ["user_id"])
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_roles"),
    )
    op.create_index("uq_roles_name", "roles", ["name"], unique=True)
    op.create_table(
        "memberships",
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_memberships_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name="fk_memberships_workspace_id_workspaces", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "workspace_id", name="pk_memberships"),
    )
    op.create_index("ix_memberships_workspace_id", "memberships", ["workspace_id"])
    op.create_table(
        "invites",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=True),
        sa.Column("applied_at", UTC_TIME, nullable=True),
        sa.Column("applied_user_id", sa.String(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'applied', 'revoked')", name="ck_invites_status"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_invites"),
    )
    op.create_index("ix_invites_email_status", "invites", ["email", "status"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("authority", sa.String(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("idle_expires_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.Column("revoked_at", UTC_TIME, nullable=True),
        sa.Column("microsoft_tokens", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["user_accounts.id"],
            name="fk_sessions_account_id_user_accounts", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_sessions_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])


def downgrade() -> None:
    # children first: foreign keys are enforced on both backends
    for table in (
        "sessions", "invites", "memberships", "roles", "user_accounts", "provider_domains",
        "identity_providers", "user_directories", "users", "workspaces",
    ):
        op.drop_table(table)
