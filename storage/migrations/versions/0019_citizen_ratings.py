"""citizen ratings: reception points, ratings, the head's follow-up (issue 16)

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.types.UTCDateTime(timezone=True)
    op.create_table(
        "reception_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("desk", sa.String(length=120), nullable=True),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", moment, nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_reception_points_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reception_points")),
        sa.UniqueConstraint("code", name=op.f("uq_reception_points_code")),
    )
    op.create_index(op.f("ix_reception_points_unit_id"), "reception_points", ["unit_id"], unique=False)
    op.create_table(
        "citizen_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("created_at", moment, nullable=False),
        sa.Column("overall", sa.SmallInteger(), nullable=False),
        sa.Column("attitude", sa.SmallInteger(), nullable=False),
        sa.Column("trips", sa.SmallInteger(), nullable=False),
        sa.Column("papers_posted", sa.Boolean(), nullable=True),
        sa.Column("progress_lookup", sa.Boolean(), nullable=True),
        sa.Column("asked_beyond_rules", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("dossier_number", sa.String(length=40), nullable=True),
        sa.Column("official_id", sa.Integer(), nullable=True),
        sa.Column("contact", sa.String(length=120), nullable=True),
        sa.Column("contact_consent", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("set_aside_at", moment, nullable=True),
        sa.Column("set_aside_by_id", sa.Integer(), nullable=True),
        sa.Column("set_aside_reason", sa.String(length=200), nullable=True),
        sa.CheckConstraint("overall BETWEEN 1 AND 5", name=op.f("ck_citizen_ratings_overall_level")),
        sa.CheckConstraint("attitude BETWEEN 1 AND 5", name=op.f("ck_citizen_ratings_attitude_level")),
        sa.CheckConstraint("trips BETWEEN 1 AND 3", name=op.f("ck_citizen_ratings_trips_range")),
        sa.CheckConstraint(
            "contact IS NULL OR contact_consent", name=op.f("ck_citizen_ratings_contact_needs_consent")
        ),
        sa.ForeignKeyConstraint(
            ["point_id"], ["reception_points.id"], name=op.f("fk_citizen_ratings_point_id_reception_points")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_citizen_ratings_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["official_id"], ["officials.id"], name=op.f("fk_citizen_ratings_official_id_officials")
        ),
        sa.ForeignKeyConstraint(
            ["set_aside_by_id"], ["officials.id"], name=op.f("fk_citizen_ratings_set_aside_by_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_ratings")),
    )
    op.create_index(op.f("ix_citizen_ratings_official_id"), "citizen_ratings", ["official_id"], unique=False)
    op.create_index(
        op.f("ix_citizen_ratings_address_hash"), "citizen_ratings", ["address_hash"], unique=False
    )
    op.create_index(
        "ix_citizen_ratings_unit_created", "citizen_ratings", ["unit_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_citizen_ratings_point_created", "citizen_ratings", ["point_id", "created_at"], unique=False
    )
    op.create_table(
        "rating_followups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rating_id", sa.Integer(), nullable=False),
        sa.Column("contacted", sa.Boolean(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["rating_id"],
            ["citizen_ratings.id"],
            name=op.f("fk_rating_followups_rating_id_citizen_ratings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["officials.id"], name=op.f("fk_rating_followups_by_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_followups")),
    )
    op.create_index(op.f("ix_rating_followups_rating_id"), "rating_followups", ["rating_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_rating_followups_rating_id"), table_name="rating_followups")
    op.drop_table("rating_followups")
    op.drop_index("ix_citizen_ratings_point_created", table_name="citizen_ratings")
    op.drop_index("ix_citizen_ratings_unit_created", table_name="citizen_ratings")
    op.drop_index(op.f("ix_citizen_ratings_address_hash"), table_name="citizen_ratings")
    op.drop_index(op.f("ix_citizen_ratings_official_id"), table_name="citizen_ratings")
    op.drop_table("citizen_ratings")
    op.drop_index(op.f("ix_reception_points_unit_id"), table_name="reception_points")
    op.drop_table("reception_points")
