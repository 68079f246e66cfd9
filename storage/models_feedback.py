"""What citizens say about a desk (issue 16): reception points with their public rating page, the ratings,
and the unit head's follow-up of a flagged one.

A rating is a citizen's, not an official's: it is anonymous unless the citizen gave a contact with the
explicit consent line (Luật 91/2025/QH15). The address it came from is kept only as a keyed hash, enough to
set aside a burst of spam, never to find the person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class ReceptionPoint(Base):
    """A unit, or one desk of it, with a poster whose QR code opens /r/<code>."""

    __tablename__ = "reception_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    # None: the unit itself; otherwise the desk's name as the poster prints it ("Quầy số 3 – Đất đai").
    desk: Mapped[str | None] = mapped_column(String(120))
    # Short, unambiguous, printed under the QR code for someone typing the address by hand.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CitizenRating(Base):
    """One filled form. Levels are 1 (very dissatisfied) … 5 (very satisfied), as the SIPAS survey asks."""

    __tablename__ = "citizen_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("reception_points.id"))
    # The point's unit when the rating came (a desk may move later; the figures stay where they were earned).
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    overall: Mapped[int] = mapped_column(SmallInteger)
    attitude: Mapped[int] = mapped_column(SmallInteger)
    trips: Mapped[int] = mapped_column(SmallInteger)  # 1, 2, or 3 for "3 or more"
    papers_posted: Mapped[bool | None] = mapped_column(Boolean)  # None: the citizen did not answer
    progress_lookup: Mapped[bool | None] = mapped_column(Boolean)
    # Asked for anything beyond the rules: phiền hà, sách nhiễu, an unofficial payment.
    asked_beyond_rules: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    dossier_number: Mapped[str | None] = mapped_column(String(40))
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"), index=True)
    contact: Mapped[str | None] = mapped_column(String(120))  # only with contact_consent
    contact_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    address_hash: Mapped[str] = mapped_column(String(64), index=True)
    # A rating of 1–2 or a "yes" to asked_beyond_rules: the head hears of it the same working day.
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set aside as spam by an admin (audited, reversible): kept, not counted.
    set_aside_at: Mapped[datetime | None] = mapped_column()
    set_aside_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    set_aside_reason: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint("overall BETWEEN 1 AND 5", name="overall_level"),
        CheckConstraint("attitude BETWEEN 1 AND 5", name="attitude_level"),
        CheckConstraint("trips BETWEEN 1 AND 3", name="trips_range"),
        CheckConstraint("contact IS NULL OR contact_consent", name="contact_needs_consent"),
        # The reports: a unit's ratings in a period; the poster's rate limit: a point's recent ratings.
        Index("ix_citizen_ratings_unit_created", "unit_id", "created_at"),
        Index("ix_citizen_ratings_point_created", "point_id", "created_at"),
    )


class RatingFollowUp(Base):
    """What the head did about a flagged rating; several entries make its history."""

    __tablename__ = "rating_followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("citizen_ratings.id", ondelete="CASCADE"), index=True)
    contacted: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
