"""consents: a person's informed, explicit consent per notice version and channel (Luật 91/2025/QH15)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Officials linked before this revision hold no consent: they are asked at their next message.
    moment = storage.types.UTCDateTime(timezone=True)
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("notice_version", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("given_at", moment, nullable=False),
        sa.Column("withdrawn_at", moment, nullable=True),
        sa.Column("withdrawn_channel", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["official_id"], ["officials.id"], name=op.f("fk_consents_official_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index(
        "ix_consents_current", "consents", ["official_id", "notice_version", "withdrawn_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_consents_current", table_name="consents")
    op.drop_table("consents")
