"""Following Microsoft after the sign-in: sessions keep the ID token's `sid` and `iss`
(front-channel logout), when Microsoft last confirmed them and the re-validation lease;
providers' role mappings (app roles, groups), and where a membership's role comes from.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Plain ADD COLUMNs (nullable, no default): instant on PostgreSQL, native on SQLite.
    op.add_column("sessions", sa.Column("microsoft_sid", sa.String(), nullable=True))
    op.add_column("sessions", sa.Column("microsoft_issuer", sa.String(), nullable=True))
    op.add_column("sessions", sa.Column("confirmed_at", UTC_TIME, nullable=True))
    op.add_column("sessions", sa.Column("confirm_lease_until", UTC_TIME, nullable=True))
    op.create_index("ix_sessions_microsoft_sid", "sessions", ["microsoft_sid"])
    op.create_index("ix_sessions_confirmed_at", "sessions", ["confirmed_at"])
    op.add_column(
        "memberships", sa.Column("origin", sa.String(), nullable=False, server_default="direct")
    )
    op.add_column("memberships", sa.Column("base_role", sa.String(), nullable=True))
    op.create_table(
        "role_mappings",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.CheckConstraint("source IN ('app_role', 'group')", name="ck_role_mappings_source"),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["identity_providers.id"],
            name="fk_role_mappings_provider_id_identity_providers", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_role_mappings"),
        sa.UniqueConstraint(
            "provider_id", "source", "value", "workspace_id",
            name="uq_role_mappings_provider_id_source_value_workspace_id",
        ),
    )


def downgrade() -> None:
    op.drop_table("role_mappings")
    with op.batch_alter_table("memberships") as batch:
        batch.drop_column("base_role")
        batch.drop_column("origin")
    op.drop_index("ix_sessions_confirmed_at", table_name="sessions")
    op.drop_index("ix_sessions_microsoft_sid", table_name="sessions")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("confirm_lease_until")
        batch.drop_column("confirmed_at")
        batch.drop_column("microsoft_issuer")
        batch.drop_column("microsoft_sid")
