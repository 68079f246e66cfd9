"""broadcasts.draft_key: a web confirm sent twice makes one broadcast

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(sa.Column("draft_key", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(batch.f("uq_broadcasts_draft_key"), ["draft_key"])


def downgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_constraint(batch.f("uq_broadcasts_draft_key"), type_="unique")
        batch.drop_column("draft_key")
