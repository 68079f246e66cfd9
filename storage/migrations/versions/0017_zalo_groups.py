"""Zalo groups linked to units (behind ZALO_GROUPS)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

from collections.abc import Sequence

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Filled by the Zalo-groups (issue 15) work; reserved so parallel work keeps one linear history.
    pass


def downgrade() -> None:
    pass
