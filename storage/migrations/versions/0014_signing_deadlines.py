"""signing deadlines: office settings (days to sign), yearly signing campaigns, overdue notices

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.types.UTCDateTime(timezone=True)
    op.create_table(
        "office_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["officials.id"], name=op.f("fk_office_settings_updated_by_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_settings")),
        sa.UniqueConstraint("name", name=op.f("uq_office_settings_name")),
    )
    op.create_table(
        "signing_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("pledge_version_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", moment, nullable=False),
        sa.Column("closed_at", moment, nullable=True),
        sa.ForeignKeyConstraint(
            ["pledge_version_id"],
            ["pledge_versions.id"],
            name=op.f("fk_signing_campaigns_pledge_version_id_pledge_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["officials.id"], name=op.f("fk_signing_campaigns_created_by_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_campaigns")),
    )
    op.create_index(
        "ix_signing_campaigns_window", "signing_campaigns", ["starts_on", "ends_on"], unique=False
    )
    op.create_table(
        "overdue_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("notified", sa.Integer(), nullable=False),
        sa.Column("created_at", moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["official_id"], ["officials.id"], name=op.f("fk_overdue_notices_official_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overdue_notices")),
    )
    op.create_index(
        "uq_overdue_notices_official_subject", "overdue_notices", ["official_id", "subject"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_overdue_notices_official_subject", table_name="overdue_notices")
    op.drop_table("overdue_notices")
    op.drop_index("ix_signing_campaigns_window", table_name="signing_campaigns")
    op.drop_table("signing_campaigns")
    op.drop_table("office_settings")
