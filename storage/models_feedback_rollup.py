"""Citizens' ratings added up per local day and reception point (issue 16): what a year's satisfaction
figures read instead of a million rows. Only closed days are kept here (today is always read from the
ratings themselves); compliance.reports.satisfaction_days keeps them in step with the ratings.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class Counts:
    """A group of counted ratings (not set aside): how many, then each answer's count, in the order of the
    survey's questions."""

    ratings: Mapped[int] = mapped_column(Integer)
    flags: Mapped[int] = mapped_column(Integer)
    asked: Mapped[int] = mapped_column(Integer)
    overall_1: Mapped[int] = mapped_column(Integer)
    overall_2: Mapped[int] = mapped_column(Integer)
    overall_3: Mapped[int] = mapped_column(Integer)
    overall_4: Mapped[int] = mapped_column(Integer)
    overall_5: Mapped[int] = mapped_column(Integer)
    attitude_1: Mapped[int] = mapped_column(Integer)
    attitude_2: Mapped[int] = mapped_column(Integer)
    attitude_3: Mapped[int] = mapped_column(Integer)
    attitude_4: Mapped[int] = mapped_column(Integer)
    attitude_5: Mapped[int] = mapped_column(Integer)
    trips_1: Mapped[int] = mapped_column(Integer)
    trips_2: Mapped[int] = mapped_column(Integer)
    trips_3: Mapped[int] = mapped_column(Integer)
    papers_yes: Mapped[int] = mapped_column(Integer)
    papers_no: Mapped[int] = mapped_column(Integer)
    papers_none: Mapped[int] = mapped_column(Integer)
    lookup_yes: Mapped[int] = mapped_column(Integer)
    lookup_no: Mapped[int] = mapped_column(Integer)
    lookup_none: Mapped[int] = mapped_column(Integer)


class RatingDay(Counts, Base):
    """One point's counted ratings of one closed local day, under the unit they were earned by."""

    __tablename__ = "rating_days"
    # SQLite keeps the rows in key order: a unit's days are read together, without a sort.
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 - SQLAlchemy reads it once

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("reception_points.id"), primary_key=True)


class RatingMonth(Counts, Base):
    """The sum of a whole closed month's rating_days rows per point and unit: a year reads twelve rows a
    point rather than 365."""

    __tablename__ = "rating_months"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 - SQLAlchemy reads it once

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
    point_id: Mapped[int] = mapped_column(ForeignKey("reception_points.id"), primary_key=True)


class RatingRollup(Base):
    """The roll-up's one row: how far it goes. Every rating of a day up to `through` with an id up to
    `seen_id` is in rating_days; a rating written later into such a day (an import, demo data) has a
    higher id and gets its day rolled again on the next read."""

    __tablename__ = "rating_rollup"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    through: Mapped[date | None] = mapped_column(Date)
    seen_id: Mapped[int] = mapped_column(Integer, default=0)
    rolled_at: Mapped[datetime | None] = mapped_column()
