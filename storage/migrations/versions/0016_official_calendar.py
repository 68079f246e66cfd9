"""the official calendar as data: days off and make-up working days loaded from a file with their sources

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

from collections.abc import Sequence

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Filled by the calendar-data (issue 17) work; reserved so parallel work keeps one linear history.
    pass


def downgrade() -> None:
    pass
