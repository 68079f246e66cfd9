"""rating_days, rating_months: citizens' ratings added up per closed day and month and point; the roll-up's state

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30

The rows are filled on the first read of the figures (compliance.reports.satisfaction_days.catch_up),
not here: a migration does not carry the domain's queries.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rating_days",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("ratings", sa.Integer(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("asked", sa.Integer(), nullable=False),
        sa.Column("overall_1", sa.Integer(), nullable=False),
        sa.Column("overall_2", sa.Integer(), nullable=False),
        sa.Column("overall_3", sa.Integer(), nullable=False),
        sa.Column("overall_4", sa.Integer(), nullable=False),
        sa.Column("overall_5", sa.Integer(), nullable=False),
        sa.Column("attitude_1", sa.Integer(), nullable=False),
        sa.Column("attitude_2", sa.Integer(), nullable=False),
        sa.Column("attitude_3", sa.Integer(), nullable=False),
        sa.Column("attitude_4", sa.Integer(), nullable=False),
        sa.Column("attitude_5", sa.Integer(), nullable=False),
        sa.Column("trips_1", sa.Integer(), nullable=False),
        sa.Column("trips_2", sa.Integer(), nullable=False),
        sa.Column("trips_3", sa.Integer(), nullable=False),
        sa.Column("papers_yes", sa.Integer(), nullable=False),
        sa.Column("papers_no", sa.Integer(), nullable=False),
        sa.Column("papers_none", sa.Integer(), nullable=False),
        sa.Column("lookup_yes", sa.Integer(), nullable=False),
        sa.Column("lookup_no", sa.Integer(), nullable=False),
        sa.Column("lookup_none", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_rating_days_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["point_id"], ["reception_points.id"], name=op.f("fk_rating_days_point_id_reception_points")
        ),
        sa.PrimaryKeyConstraint("unit_id", "day", "point_id", name=op.f("pk_rating_days")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rating_months",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("ratings", sa.Integer(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("asked", sa.Integer(), nullable=False),
        sa.Column("overall_1", sa.Integer(), nullable=False),
        sa.Column("overall_2", sa.Integer(), nullable=False),
        sa.Column("overall_3", sa.Integer(), nullable=False),
        sa.Column("overall_4", sa.Integer(), nullable=False),
        sa.Column("overall_5", sa.Integer(), nullable=False),
        sa.Column("attitude_1", sa.Integer(), nullable=False),
        sa.Column("attitude_2", sa.Integer(), nullable=False),
        sa.Column("attitude_3", sa.Integer(), nullable=False),
        sa.Column("attitude_4", sa.Integer(), nullable=False),
        sa.Column("attitude_5", sa.Integer(), nullable=False),
        sa.Column("trips_1", sa.Integer(), nullable=False),
        sa.Column("trips_2", sa.Integer(), nullable=False),
        sa.Column("trips_3", sa.Integer(), nullable=False),
        sa.Column("papers_yes", sa.Integer(), nullable=False),
        sa.Column("papers_no", sa.Integer(), nullable=False),
        sa.Column("papers_none", sa.Integer(), nullable=False),
        sa.Column("lookup_yes", sa.Integer(), nullable=False),
        sa.Column("lookup_no", sa.Integer(), nullable=False),
        sa.Column("lookup_none", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_rating_months_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["point_id"], ["reception_points.id"], name=op.f("fk_rating_months_point_id_reception_points")
        ),
        sa.PrimaryKeyConstraint("unit_id", "month", "point_id", name=op.f("pk_rating_months")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rating_rollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("through", sa.Date(), nullable=True),
        sa.Column("seen_id", sa.Integer(), nullable=False),
        sa.Column("rolled_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_rating_rollup_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_rollup")),
    )


def downgrade() -> None:
    op.drop_table("rating_rollup")
    op.drop_table("rating_months")
    op.drop_table("rating_days")
