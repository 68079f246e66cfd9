"""zalo groups: Zalo group chats linked to units, and the one-time codes that link them (behind ZALO_GROUPS)

A table of its own rather than unit_groups made general: Telegram's groups have integer chat ids, a title,
a weekly on/off switch and broadcasts; a Zalo group has a text id and only the weekly aggregate.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.types.UTCDateTime(timezone=True)
    op.create_table(
        "zalo_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.String(length=100), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", moment, nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_zalo_groups_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["linked_by_id"], ["officials.id"], name=op.f("fk_zalo_groups_linked_by_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zalo_groups")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_zalo_groups_chat_id")),
    )
    op.create_index(op.f("ix_zalo_groups_unit_id"), "zalo_groups", ["unit_id"], unique=False)
    op.create_table(
        "zalo_group_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", moment, nullable=False),
        sa.Column("expires_at", moment, nullable=False),
        sa.Column("used_at", moment, nullable=True),
        sa.Column("used_in", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_zalo_group_codes_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["officials.id"], name=op.f("fk_zalo_group_codes_issued_by_id_officials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zalo_group_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_zalo_group_codes_code_hash")),
    )
    op.create_index(
        op.f("ix_zalo_group_codes_issued_by_id"), "zalo_group_codes", ["issued_by_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_zalo_group_codes_issued_by_id"), table_name="zalo_group_codes")
    op.drop_table("zalo_group_codes")
    op.drop_index(op.f("ix_zalo_groups_unit_id"), table_name="zalo_groups")
    op.drop_table("zalo_groups")
