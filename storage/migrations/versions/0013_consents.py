"""consents: a person's informed, explicit consent per notice version and channel (Luật 91/2025/QH15)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from collections.abc import Sequence

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Filled by the consent work ; reserved so parallel work keeps one linear history.
    pass


def downgrade() -> None:
    pass
