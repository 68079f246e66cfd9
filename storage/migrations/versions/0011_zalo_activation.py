"""zalo: activation codes, wrong-code attempts, processed events with text ids

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.types.UTCDateTime(timezone=True)
    op.create_table(
        "activation_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("hint", sa.String(length=4), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", moment, nullable=False),
        sa.Column("expires_at", moment, nullable=False),
        sa.Column("used_at", moment, nullable=True),
        sa.Column("used_by", sa.String(length=120), nullable=True),
        sa.Column("revoked_at", moment, nullable=True),
        sa.ForeignKeyConstraint(
            ["official_id"], ["officials.id"], name=op.f("fk_activation_codes_official_id_officials")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["officials.id"], name=op.f("fk_activation_codes_issued_by_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activation_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_activation_codes_code_hash")),
    )
    op.create_index(
        op.f("ix_activation_codes_official_id"), "activation_codes", ["official_id"], unique=False
    )
    op.create_table(
        "activation_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("at", moment, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activation_attempts")),
    )
    op.create_index(
        "ix_activation_attempts_account",
        "activation_attempts",
        ["channel", "external_id", "at"],
        unique=False,
    )
    op.create_table(
        "processed_events",
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("processed_at", moment, nullable=False),
        sa.PrimaryKeyConstraint("channel", "event_id", name=op.f("pk_processed_events")),
    )
    op.create_index(
        op.f("ix_processed_events_processed_at"), "processed_events", ["processed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_processed_events_processed_at"), table_name="processed_events")
    op.drop_table("processed_events")
    op.drop_index("ix_activation_attempts_account", table_name="activation_attempts")
    op.drop_table("activation_attempts")
    op.drop_index(op.f("ix_activation_codes_official_id"), table_name="activation_codes")
    op.drop_table("activation_codes")
