"""signing deadlines: new joiners' working-day deadline and yearly signing campaigns

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from collections.abc import Sequence

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Filled by the signing-deadline work ; reserved so parallel work keeps one linear history.
    pass


def downgrade() -> None:
    pass
