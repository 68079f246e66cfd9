"""unit kinds as data and unit merges with their history (two-level local government, 2025)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from collections.abc import Sequence

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Filled by the two-level-government work ; reserved so parallel work keeps one linear history.
    pass


def downgrade() -> None:
    pass
