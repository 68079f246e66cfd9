"""web sign-in: one-time links and sessions, stored as hashes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.types.UTCDateTime(timezone=True)
    op.create_table(
        "web_signins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("next_path", sa.String(length=300), nullable=False),
        sa.Column("issued_by", sa.String(length=50), nullable=False),
        sa.Column("created_at", moment, nullable=False),
        sa.Column("expires_at", moment, nullable=False),
        sa.Column("used_at", moment, nullable=True),
        sa.ForeignKeyConstraint(
            ["official_id"], ["officials.id"], name=op.f("fk_web_signins_official_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_signins")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_signins_token_hash")),
    )
    op.create_index(op.f("ix_web_signins_official_id"), "web_signins", ["official_id"], unique=False)
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("opened_by", sa.String(length=20), nullable=False),
        sa.Column("created_at", moment, nullable=False),
        sa.Column("last_seen_at", moment, nullable=False),
        sa.Column("expires_at", moment, nullable=False),
        sa.Column("revoked_at", moment, nullable=True),
        sa.ForeignKeyConstraint(
            ["official_id"], ["officials.id"], name=op.f("fk_web_sessions_official_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    op.create_index("ix_web_sessions_official", "web_sessions", ["official_id", "revoked_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_web_sessions_official", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_index(op.f("ix_web_signins_official_id"), table_name="web_signins")
    op.drop_table("web_signins")
