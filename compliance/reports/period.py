"""The periods a report covers: this or last week, the month, the quarter, as local dates.

Its own module because who counts (office.staff_roll), the lapses and the roll-up all read a period: kept in
the roll-up, it tied them in a circle."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta


class PeriodKind(enum.StrEnum):
    THIS_WEEK = "week"
    LAST_WEEK = "lastweek"
    MONTH = "month"
    QUARTER = "quarter"


@dataclass(frozen=True)
class Period:
    start: date  # inclusive, local dates
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period just before, as long: whole calendar months step back by months (March's is
        February, a quarter's the quarter before, a year's the year before), any other by its days."""
        months = self.months
        if months:
            back = self.start.year * 12 + self.start.month - 1 - months
            return Period(date(back // 12, back % 12 + 1, 1), self.start - timedelta(days=1))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @property
    def months(self) -> int:
        """How many whole calendar months the period is (0: it is not whole months)."""
        if self.start.day != 1 or (self.end + timedelta(days=1)).day != 1:
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def mondays(self) -> list[date]:
        first = self.start - timedelta(days=self.start.weekday())
        return [first + timedelta(weeks=n) for n in range((self.end - first).days // 7 + 1)]


def period_of(kind: PeriodKind, today: date) -> Period:
    monday = today - timedelta(days=today.weekday())
    if kind is PeriodKind.LAST_WEEK:
        return Period(monday - timedelta(days=7), monday - timedelta(days=1))
    if kind is PeriodKind.MONTH:
        start = today.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return Period(start, following - timedelta(days=1))
    if kind is PeriodKind.QUARTER:
        first_month = 3 * ((today.month - 1) // 3) + 1
        start = date(today.year, first_month, 1)
        following = date(today.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
        return Period(start, following - timedelta(days=1))
    return Period(monday, monday + timedelta(days=6))
