"""Letters to citizens (issue 16): the apology slip of Mẫu 04 (Thông tư 01/2018/TT-VPCP) when a dossier is
late, and thank-you letters; one row per letter issued, numbered per unit, kind and year.

A letter is an administrative document: once issued it is not edited. The row keeps everything its PDF
prints (the office's names, place, signer, the rendered body) as they were on the day, so the PDF made
again a year later, after a unit is renamed or a template replaced, is the letter that was sent.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class CitizenLetter(Base):
    __tablename__ = "citizen_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(20))  # "apology" | "thanks"
    template_code: Mapped[str] = mapped_column(String(40))
    template_version: Mapped[int] = mapped_column(SmallInteger)
    year: Mapped[int] = mapped_column(SmallInteger)  # the letter's year in Viet Nam: its number's series
    number: Mapped[int] = mapped_column()
    # What the form held (citizen, dossier, reason, dates as ISO, place, signer, recipients) and the office's
    # names at the time: the PDF is made from these alone.
    fields: Mapped[dict[str, Any]] = mapped_column()
    body: Mapped[str] = mapped_column(Text)  # the template's body with the fields put in, as printed
    # The apology's promised day (the receipt's original return date); None for a thank-you letter.
    due_on: Mapped[date | None] = mapped_column()
    sent_on: Mapped[date] = mapped_column()  # the letter's date, local
    # Sent before the promised day, as the one-stop rules ask; None for a thank-you letter.
    on_time: Mapped[bool | None] = mapped_column()
    by_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("unit_id", "kind", "year", "number"),  # one number per unit, kind and year
        Index("ix_citizen_letters_unit_created", "unit_id", "created_at"),
    )
