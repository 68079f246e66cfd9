"""What the heads' web dashboard reads beside the chat's /report: the year as a period, the figures of the
periods before (the trend), people by status a page at a time, who a nudge can reach, and reports kept for
a few minutes (a province's roll-up takes seconds: twenty heads reloading must not each pay for it).

The figures themselves are the roll-up's (compliance.reports.rollup): the dashboard shows the same numbers
the chat's /report gives for the same unit and period."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

# Where the dashboard's pages and tests have always found them.
from compliance.reports.cache import Kept as Kept
from compliance.reports.cache import ReportCache as ReportCache
from compliance.reports.lapses import Lapse, Person
from compliance.reports.period import Period, PeriodKind, period_of
from compliance.reports.rollup import Figures, Report, period_totals
from compliance.reports.weekly import NUDGE_ORDER, UNREACHED
from storage.models import Unit

T = TypeVar("T")

YEAR = "year"  # the dashboard's fifth period, beside the chat's PeriodKind values
PERIODS: tuple[str, ...] = (*(kind.value for kind in PeriodKind), YEAR)


class Status(enum.StrEnum):
    """The people filters of the dashboard, each the complement of one of the report's figures."""

    NOT_JOINED = "not_joined"  # joined / on the list
    NOT_SIGNED = "not_signed"  # signed / on the list
    SELFCHECK_MISSED = "selfcheck_missed"  # a self-check whose deadline passed unanswered
    QUIZ_MISSING = "quiz_missing"  # quizzes taken / weeks of the period begun


def dashboard_period(name: str, today: date) -> Period | None:
    """A period by its name in a URL (the chat's /report periods, and the calendar year); None: unknown."""
    if name == YEAR:
        return Period(date(today.year, 1, 1), date(today.year, 12, 31))
    try:
        kind = PeriodKind(name)
    except ValueError:
        return None
    return period_of(kind, today)


def weeks_of(report: Report) -> int:
    """How many weeks of the period had begun when the report was read (each asks a self-check and a
    quiz of everyone on the list): the roll-up's slots per person."""
    total = report.total
    return total.check_slots // total.on_list if total.on_list else 0


def has_status(person: Person, status: Status, weeks: int) -> bool:
    if status is Status.NOT_JOINED:
        return not person.joined
    if status is Status.NOT_SIGNED:
        return person.signed_at is None
    if status is Status.SELFCHECK_MISSED:
        return person.missed > 0
    return person.quizzes < weeks


def people_with(report: Report, status: Status, *, unit_ids: set[int] | None = None) -> list[Person]:
    """The people of the report (in its order: unit, then name) in `status`, only those of `unit_ids`
    when given."""
    weeks = weeks_of(report)
    return [
        person
        for person in report.people
        if (unit_ids is None or person.unit_id in unit_ids) and has_status(person, status, weeks)
    ]


def status_counts(report: Report) -> dict[Status, int]:
    """How many people each filter lists (has_status, spelt out: one pass over a province's roster)."""
    weeks = weeks_of(report)
    not_joined = not_signed = missed = no_quiz = 0
    for person in report.people:
        not_joined += not person.joined
        not_signed += person.signed_at is None
        missed += person.missed > 0
        no_quiz += person.quizzes < weeks
    return {
        Status.NOT_JOINED: not_joined,
        Status.NOT_SIGNED: not_signed,
        Status.SELFCHECK_MISSED: missed,
        Status.QUIZ_MISSING: no_quiz,
    }


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int  # from 1
    pages: int
    total: int


def page_of(items: Sequence[T], number: int, size: int) -> Page[T]:
    """One page of `items`; a number past the last gives the last page, below 1 the first."""
    pages = max(1, -(-len(items) // size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    return Page(list(items[start : start + size]), number, pages, len(items))


def nudgeable(lapses: Sequence[Lapse]) -> int:
    """How many people a nudge (compliance.reports.weekly.plan_nudges) is meant for: a lapse it names,
    and a chat to reach them in. When it plans none of them, today's nudge has already been sent."""
    named = {lapse.official_id for lapse in lapses if lapse.kind in NUDGE_ORDER}
    unreached = {lapse.official_id for lapse in lapses if lapse.kind in UNREACHED}
    return len(named - unreached)


async def trend(session: AsyncSession, report: Report, *, periods: int = 3) -> list[tuple[Period, Figures]]:
    """The figures of the `periods` periods up to the report's, oldest first: the report's own and its
    previous period's as the roll-up made them, the ones before in a few aggregates each."""
    earlier: list[tuple[Period, Figures]] = []
    period = report.period.previous()
    for _ in range(max(0, periods - 2)):
        period = period.previous()
        earlier.append((period, await period_totals(session, root=report.root, period=period)))
    return [
        *reversed(earlier),
        (report.period.previous(), report.previous_total),
        (report.period, report.total),
    ]


def unit_key(root: Unit | None) -> int | None:
    return root.id if root is not None else None
