"""Sessions follow Microsoft: the ID token's `sid` and `iss` (front-channel logout), when
Microsoft last confirmed the session, and the re-validation lease.

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-01 09:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0001"
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


def downgrade() -> None:
    op.drop_index("ix_sessions_confirmed_at", table_name="sessions")
    op.drop_index("ix_sessions_microsoft_sid", table_name="sessions")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("confirm_lease_until")
        batch.drop_column("confirmed_at")
        batch.drop_column("microsoft_issuer")
        batch.drop_column("microsoft_sid")
