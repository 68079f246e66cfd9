"""emulation: admin-entered scores per unit and quarter for the star rating (append-only entries)

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "emulation_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("quarter", sa.SmallInteger(), nullable=False),
        sa.Column("reform", sa.Float(), nullable=True),
        sa.Column("initiatives", sa.Float(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name=op.f("ck_emulation_scores_quarter_range")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_emulation_scores_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["officials.id"], name=op.f("fk_emulation_scores_entered_by_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emulation_scores")),
    )
    op.create_index(
        "ix_emulation_scores_period", "emulation_scores", ["year", "quarter", "unit_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_emulation_scores_period", table_name="emulation_scores")
    op.drop_table("emulation_scores")
