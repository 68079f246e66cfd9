"""letters to citizens: the apology slip (Mẫu 04) and thank-you letters, logged per unit

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30
"""

from collections.abc import Sequence

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Filled by the letters (issue 16) work; reserved so parallel work keeps one linear history.
    pass


def downgrade() -> None:
    pass
