"""broadcast files: documents uploaded on the web for a broadcast

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "broadcast_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["broadcast_id"], ["broadcasts.id"], name=op.f("fk_broadcast_files_broadcast_id_broadcasts")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["officials.id"], name=op.f("fk_broadcast_files_uploaded_by_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_files")),
    )
    op.create_index(
        op.f("ix_broadcast_files_broadcast_id"), "broadcast_files", ["broadcast_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_broadcast_files_broadcast_id"), table_name="broadcast_files")
    op.drop_table("broadcast_files")
