"""self-check statuses per week, from an index

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("self_checks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_self_checks_week_status_official", ["week", "status", "official_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("self_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_self_checks_week_status_official")
