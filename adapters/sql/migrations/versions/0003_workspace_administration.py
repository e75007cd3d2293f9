"""Workspace administration: editors may invite, invite links and revocations, audit events.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(
        "workspaces",
        sa.Column("editors_invite", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("invites", sa.Column("invited_by", sa.String(), nullable=True))
    op.add_column("invites", sa.Column("token_hash", sa.String(), nullable=True))
    op.add_column("invites", sa.Column("revoked_at", UTC_TIME, nullable=True))
    op.create_index("ix_invites_workspace_id", "invites", ["workspace_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor_id", sa.String(), nullable=True),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("details", sa.String(), nullable=False),
        sa.Column("correlation_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_workspace_id_at", "audit_events", ["workspace_id", "at"])
    op.create_index("ix_audit_events_at", "audit_events", ["at"])


def downgrade() -> None:
    op.drop_table("audit_events")
    op.drop_index("ix_invites_workspace_id", table_name="invites")
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch rebuild of `workspaces`
    # would drop the table, and with it (ON DELETE CASCADE) every membership
    for column in ("revoked_at", "token_hash", "invited_by"):
        op.drop_column("invites", column)
    op.drop_column("workspaces", "editors_invite")
