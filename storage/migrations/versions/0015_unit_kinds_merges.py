"""unit kinds as data and unit merges with their history (two-level local government, 2025)

Units get a free-text kind and a "merged into" link; unit_names keeps the names before a rename and
unit_merges one row per merge.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.types.UTCDateTime(timezone=True)
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_units_merged_into_id_units"), "units", ["merged_into_id"], ["id"]
        )
        batch_op.create_index(op.f("ix_units_merged_into_id"), ["merged_into_id"], unique=False)
    op.create_table(
        "unit_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("until", moment, nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_unit_names_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["officials.id"], name=op.f("fk_unit_names_changed_by_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_names")),
    )
    op.create_index(op.f("ix_unit_names_unit_id"), "unit_names", ["unit_id"], unique=False)
    op.create_index(op.f("ix_unit_names_name_key"), "unit_names", ["name_key"], unique=False)
    op.create_table(
        "unit_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.String(length=200), nullable=False),
        sa.Column("source_name_key", sa.String(length=200), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", moment, nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=True),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["units.id"], name=op.f("fk_unit_merges_source_id_units")),
        sa.ForeignKeyConstraint(["target_id"], ["units.id"], name=op.f("fk_unit_merges_target_id_units")),
        sa.ForeignKeyConstraint(
            ["merged_by_id"], ["officials.id"], name=op.f("fk_unit_merges_merged_by_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_merges")),
        sa.UniqueConstraint("source_id", name=op.f("uq_unit_merges_source_id")),
    )
    op.create_index(op.f("ix_unit_merges_target_id"), "unit_merges", ["target_id"], unique=False)
    op.create_index(op.f("ix_unit_merges_source_name_key"), "unit_merges", ["source_name_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_unit_merges_source_name_key"), table_name="unit_merges")
    op.drop_index(op.f("ix_unit_merges_target_id"), table_name="unit_merges")
    op.drop_table("unit_merges")
    op.drop_index(op.f("ix_unit_names_name_key"), table_name="unit_names")
    op.drop_index(op.f("ix_unit_names_unit_id"), table_name="unit_names")
    op.drop_table("unit_names")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_units_merged_into_id"))
        batch_op.drop_constraint(op.f("fk_units_merged_into_id_units"), type_="foreignkey")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("kind")
