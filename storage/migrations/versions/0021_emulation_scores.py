"""emulation: admin-entered scores per unit and quarter for the star rating

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30
"""

from collections.abc import Sequence

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Filled by the star-rating (issue 16) work; reserved so parallel work keeps one linear history.
    pass


def downgrade() -> None:
    pass
