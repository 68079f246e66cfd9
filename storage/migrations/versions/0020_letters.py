"""letters to citizens: the apology slip (Mẫu 04) and thank-you letters, logged per unit

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "citizen_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("template_code", sa.String(length=40), nullable=False),
        sa.Column("template_version", sa.SmallInteger(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_citizen_letters_unit_id_units")),
        sa.ForeignKeyConstraint(["by_id"], ["officials.id"], name=op.f("fk_citizen_letters_by_id_officials")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_letters")),
        sa.UniqueConstraint("unit_id", "kind", "year", "number", name=op.f("uq_citizen_letters_unit_id")),
    )
    op.create_index(
        "ix_citizen_letters_unit_created", "citizen_letters", ["unit_id", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_citizen_letters_unit_created", table_name="citizen_letters")
    op.drop_table("citizen_letters")
