"""shared files: pictures and documents behind expiring /f/<token> links (Zalo carries no files)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.types.UTCDateTime(timezone=True)
    op.create_table(
        "shared_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("broadcast_file_id", sa.Integer(), nullable=True),
        sa.Column("created_at", moment, nullable=False),
        sa.Column("expires_at", moment, nullable=False),
        sa.CheckConstraint(
            "(content IS NULL) <> (broadcast_file_id IS NULL)", name=op.f("ck_shared_files_one_source")
        ),
        sa.ForeignKeyConstraint(
            ["official_id"], ["officials.id"], name=op.f("fk_shared_files_official_id_officials")
        ),
        sa.ForeignKeyConstraint(
            ["broadcast_file_id"],
            ["broadcast_files.id"],
            name=op.f("fk_shared_files_broadcast_file_id_broadcast_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_files")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_shared_files_token_hash")),
    )
    op.create_index(op.f("ix_shared_files_official_id"), "shared_files", ["official_id"], unique=False)
    op.create_index(
        op.f("ix_shared_files_broadcast_file_id"), "shared_files", ["broadcast_file_id"], unique=False
    )
    op.create_index(op.f("ix_shared_files_expires_at"), "shared_files", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_shared_files_expires_at"), table_name="shared_files")
    op.drop_index(op.f("ix_shared_files_broadcast_file_id"), table_name="shared_files")
    op.drop_index(op.f("ix_shared_files_official_id"), table_name="shared_files")
    op.drop_table("shared_files")
