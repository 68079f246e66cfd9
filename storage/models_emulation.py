"""The star rating of units for emulation (issue 16): what an admin enters per unit and quarter that the bot
cannot count itself (the administrative reform score, e.g. from the province's PAR index, and the bonus for
initiatives).

Entries are never edited: a correction is a new row, and the latest row of a unit and quarter is the one in
force, so the history of a score (who entered what, when, on what source) stays readable beside the audit
log's copy.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class EmulationScore(Base):
    __tablename__ = "emulation_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    quarter: Mapped[int] = mapped_column(SmallInteger)  # 1–4
    # Points as the rubric counts them (not the raw index): None when this entry leaves it unset.
    reform: Mapped[float | None] = mapped_column(Float)
    initiatives: Mapped[float | None] = mapped_column(Float)
    # Where the figure comes from ("Chỉ số CCHC quý III/2026, Sở Nội vụ") or why it was corrected.
    note: Mapped[str] = mapped_column(String(500))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"),
        # A quarter's (or a year's) entries of every unit, the latest per unit: one range read.
        Index("ix_emulation_scores_period", "year", "quarter", "unit_id"),
    )
