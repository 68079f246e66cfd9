"""Compliance of a unit's subtree over a period: aggregated in SQL (a handful of grouped queries, none per
person), rolled up the units tree in Python, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from compliance import staff_roll
from compliance.pledges import versions_by_unit
from compliance.report_lapses import Lapse, Person, lapses_of, roster
from compliance.units import tree_sorted
from storage.models import Official, Unit
from storage.models_pledge import Signature
from storage.models_practice import DailyReminder, QuizAttempt, SelfCheck, SelfCheckAnswer

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


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
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

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


@dataclass
class Figures:
    """One unit's (or a subtree's) numbers for a period, every count against the staff list at the period's
    cut-off (compliance.staff_roll): on the list, joined, signed, self-checks done of those due."""

    on_list: int = 0
    joined: int = 0
    signed: int = 0
    checks_on_time: int = 0
    checks_late: int = 0
    checks_missed: int = 0
    check_slots: int = 0  # people on the list × weeks of the period begun by its cut-off
    quiz_takers: int = 0  # (official, week) pairs with a finished weekly quiz
    quiz_slots: int = 0  # the same slots as the self-checks: everyone on the list, every week
    quiz_score_sum: float = 0.0
    reminders_sent: int = 0
    reminders_read: int = 0
    item_scores: dict[str, list[int]] = field(default_factory=dict)  # item id -> [score sum, answers]

    COUNTS = (
        "on_list",
        "joined",
        "signed",
        "checks_on_time",
        "checks_late",
        "checks_missed",
        "check_slots",
        "quiz_takers",
        "quiz_slots",
        "reminders_sent",
        "reminders_read",
    )

    def add(self, other: Figures) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.quiz_score_sum += other.quiz_score_sum
        for item, (total, count) in other.item_scores.items():
            mine = self.item_scores.setdefault(item, [0, 0])
            mine[0] += total
            mine[1] += count

    @staticmethod
    def _ratio(part: float, whole: float) -> float | None:
        return part / whole if whole else None

    @property
    def joined_rate(self) -> float | None:
        return self._ratio(self.joined, self.on_list)

    @property
    def signed_rate(self) -> float | None:
        return self._ratio(self.signed, self.on_list)

    @property
    def checks_done(self) -> int:
        """Self-checks completed, on time or late."""
        return self.checks_on_time + self.checks_late

    @property
    def done_rate(self) -> float | None:
        return self._ratio(self.checks_done, self.check_slots)

    @property
    def checks_due(self) -> int:
        """Self-checks whose deadline has passed: on time, late or missed (of those who joined)."""
        return self.checks_on_time + self.checks_late + self.checks_missed

    @property
    def on_time_rate(self) -> float | None:
        return self._ratio(self.checks_on_time, self.checks_due)

    @property
    def quiz_rate(self) -> float | None:
        return self._ratio(self.quiz_takers, self.quiz_slots)

    @property
    def quiz_average(self) -> float | None:
        return self._ratio(self.quiz_score_sum, self.quiz_takers)

    @property
    def read_rate(self) -> float | None:
        return self._ratio(self.reminders_read, self.reminders_sent)

    def item_averages(self) -> dict[str, float]:
        """Per pledge item, the average self-assessment from 0 (no) to 1 (yes)."""
        return {item: total / (2 * count) for item, (total, count) in self.item_scores.items() if count}


@dataclass
class UnitLine:
    unit_id: int
    name: str
    code: str
    depth: int
    own: Figures
    subtree: Figures


@dataclass
class Report:
    root: Unit | None
    period: Period
    units: list[UnitLine]
    total: Figures
    previous_total: Figures
    people: list[Person]  # everyone on the list in reach at the cut-off, with their states
    lapses: list[Lapse]
    complete: bool = True  # the period is over (read at its end, not at a moment inside it)


async def _subtree(session: AsyncSession, root: Unit | None) -> list[Unit]:
    query = select(Unit)
    if root is not None:
        query = query.where(Unit.path.startswith(root.path))
    return tree_sorted((await session.scalars(query)).all())


def _uid(unit_id: int | None) -> int:
    """Rows are filtered on unit membership, so their unit is never empty."""
    assert unit_id is not None
    return unit_id


__all__ = [
    "Figures",
    "Lapse",
    "Period",
    "PeriodKind",
    "Person",
    "Report",
    "UnitLine",
    "build_report",
    "due_weeks",
    "period_of",
]


def due_weeks(period: Period, at: datetime) -> list[date]:
    """The Mondays of the weeks the period touches that have begun by `at`: a week not begun asks nothing."""
    today = at.astimezone(LOCAL_TZ).date()
    last = min(period.end, today)
    return [m for m in period.mondays() if period.start <= m + timedelta(days=6) and m <= last]


async def _figures(
    session: AsyncSession, members: ColumnElement[bool], periods: Sequence[Period]
) -> list[dict[int, Figures]]:
    """Per period and unit (own members only): every figure in six grouped queries over the whole
    subtree, each reading the activity tables once for all the periods (a conditional sum per period:
    periods may share a week, a month and the 30 days before it). Each period counts the people on the
    list at its own cut-off, and only their activity."""
    out: list[dict[int, Figures]] = [defaultdict(Figures) for _ in periods]
    cutoffs = [staff_roll.cutoff(period) for period in periods]
    listed = [staff_roll.on_list(at) for at in cutoffs]
    weeks = [due_weeks(period, at) for period, at in zip(periods, cutoffs, strict=True)]
    all_weeks = sorted({week for period_weeks in weeks for week in period_weeks})
    versions = [await versions_by_unit(session, as_of=at) for at in cutoffs]
    n_periods = range(len(periods))

    def per_period(condition: Callable[[int], ColumnElement[bool]], value: Any = 1) -> list[Any]:
        return [func.sum(case((condition(n), value), else_=0)) for n in n_periods]

    # Core rows, not the ORM's: these are plain columns, and the ORM's row processing was a third of
    # the time at 50 000 officials
    connection = await session.connection()
    rows = await connection.execute(
        select(
            Official.unit_id,
            *per_period(lambda n: listed[n]),
            *per_period(lambda n: and_(listed[n], staff_roll.joined(cutoffs[n]))),
        )
        .where(members)
        .group_by(Official.unit_id)
    )
    for unit_id, *counts in rows.all():
        for n, figures in enumerate(out):
            target = figures[_uid(unit_id)]
            target.on_list, target.joined = int(counts[n] or 0), int(counts[len(out) + n] or 0)
            target.check_slots = target.quiz_slots = target.on_list * len(weeks[n])
    # per unit and signed version; only the version that applied to the unit at the cut-off counts
    signed_by = [and_(listed[n], Signature.signed_at <= cutoffs[n]) for n in n_periods]
    signed = await connection.execute(
        select(
            Official.unit_id,
            Signature.pledge_version_id,
            *[func.count(func.distinct(case((signed_by[n], Official.id)))) for n in n_periods],
        )
        .select_from(Official)
        .join(Signature, Signature.official_id == Official.id)
        .where(members, Signature.on_behalf_of_unit.is_(False))
        .group_by(Official.unit_id, Signature.pledge_version_id)
    )
    for unit_id, version_id, *counts in signed.all():
        for n, figures in enumerate(out):
            version = versions[n].for_unit(unit_id)
            if version is not None and version.id == version_id:
                figures[_uid(unit_id)].signed = int(counts[n] or 0)
    in_week = [and_(listed[n], SelfCheck.week.in_(weeks[n])) for n in n_periods]
    checks = await connection.execute(
        select(Official.unit_id, SelfCheck.status, *per_period(lambda n: in_week[n]))
        .select_from(SelfCheck)
        .join(Official, Official.id == SelfCheck.official_id)
        .where(members, SelfCheck.week.in_(all_weeks))
        .group_by(Official.unit_id, SelfCheck.status)
    )
    for unit_id, status, *counts in checks.all():
        for figures, count in zip(out, counts, strict=True):
            target = figures[_uid(unit_id)]
            if status == "done":
                target.checks_on_time += int(count)
            elif status == "late":
                target.checks_late += int(count)
            elif status == "missed":
                target.checks_missed += int(count)
    await _item_scores(connection, members, in_week, all_weeks, out)
    in_quiz_week = [and_(listed[n], QuizAttempt.week.in_(weeks[n])) for n in n_periods]
    quizzes = await connection.execute(
        select(
            Official.unit_id,
            *per_period(lambda n: in_quiz_week[n]),
            *per_period(lambda n: in_quiz_week[n], QuizAttempt.score * 1.0 / QuizAttempt.answered),
        )
        .select_from(QuizAttempt)
        .join(Official, Official.id == QuizAttempt.official_id)
        .where(
            members,
            QuizAttempt.practice.is_(False),
            QuizAttempt.week.in_(all_weeks),
            QuizAttempt.finished_at.is_not(None),
            QuizAttempt.answered > 0,
        )
        .group_by(Official.unit_id)
    )
    for unit_id, *sums in quizzes.all():
        for n, figures in enumerate(out):
            figures[_uid(unit_id)].quiz_takers = int(sums[n] or 0)
            figures[_uid(unit_id)].quiz_score_sum = float(sums[len(out) + n] or 0)
    in_period = [
        and_(listed[n], DailyReminder.day.between(period.start, period.end))
        for n, period in enumerate(periods)
    ]
    read = DailyReminder.read_at.is_not(None)
    reminders = await connection.execute(
        select(
            Official.unit_id,
            *per_period(lambda n: in_period[n]),
            *per_period(lambda n: and_(in_period[n], read)),
        )
        .select_from(DailyReminder)
        .join(Official, Official.id == DailyReminder.official_id)
        .where(
            members,
            DailyReminder.day >= min(period.start for period in periods),
            DailyReminder.day <= max(period.end for period in periods),
        )
        .group_by(Official.unit_id)
    )
    for unit_id, *sums in reminders.all():
        for n, figures in enumerate(out):
            figures[_uid(unit_id)].reminders_sent = int(sums[n] or 0)
            figures[_uid(unit_id)].reminders_read = int(sums[len(out) + n] or 0)
    return out


async def _item_scores(
    connection: AsyncConnection,
    members: ColumnElement[bool],
    in_week: Sequence[ColumnElement[bool]],
    all_weeks: Sequence[date],
    out: Sequence[dict[int, Figures]],
) -> None:
    """Per period and unit, the self-assessments of each pledge item: one grouped query (a conditional
    sum per period, `in_week[n]` choosing period n's self-checks)."""

    def per_period(value: Any = 1) -> list[Any]:
        return [func.sum(case((condition, value), else_=0)) for condition in in_week]

    items = await connection.execute(
        select(Official.unit_id, SelfCheckAnswer.item_id, *per_period(SelfCheckAnswer.score), *per_period())
        .select_from(SelfCheckAnswer)
        .join(SelfCheck, SelfCheck.id == SelfCheckAnswer.self_check_id)
        .join(Official, Official.id == SelfCheck.official_id)
        .where(members, SelfCheck.week.in_(all_weeks))
        .group_by(Official.unit_id, SelfCheckAnswer.item_id)
    )
    for unit_id, item_id, *sums in items.all():
        for n, figures in enumerate(out):
            if sums[len(out) + n]:
                figures[_uid(unit_id)].item_scores[item_id] = [int(sums[n] or 0), int(sums[len(out) + n])]


def _fold(people: Sequence[Person], weeks: int) -> dict[int, Figures]:
    """The period's figures per unit from its people (on the list at the cut-off, what each did): the
    roster has read every row these figures need, so they are not read a second time."""
    out: dict[int, Figures] = defaultdict(Figures)
    for person in people:
        f = out[person.unit_id]
        f.on_list += 1
        f.joined += person.joined
        f.signed += person.signed_at is not None
        f.checks_on_time += person.on_time
        f.checks_late += person.late
        f.checks_missed += person.missed
        f.quiz_takers += person.quizzes
        f.quiz_score_sum += person.quiz_score
        f.reminders_sent += person.reminders
        f.reminders_read += person.read
    for f in out.values():
        f.check_slots = f.quiz_slots = f.on_list * weeks
    return out


async def build_report(session: AsyncSession, *, root: Unit | None, period: Period) -> Report:
    """The period's figures per unit from everyone on the list in reach (the roster) and its item scores;
    the previous period's, for the trend, in grouped queries of their own."""
    units = await _subtree(session, root)
    members = staff_roll.within(root)
    at = staff_roll.cutoff(period)
    weeks = due_weeks(period, at)
    people = await roster(session, members, units, period, at, weeks)
    current = _fold(people, len(weeks))
    in_week = [and_(staff_roll.on_list(at), SelfCheck.week.in_(weeks))]
    await _item_scores(await session.connection(), members, in_week, weeks, [current])
    (previous,) = await _figures(session, members, [period.previous()])
    lines = {
        u.id: UnitLine(u.id, u.name, u.code, u.depth, current.get(u.id, Figures()), Figures()) for u in units
    }
    for unit in units:  # each unit's own figures count in its own and every ancestor's subtree
        for ancestor in (int(p) for p in unit.path.strip("/").split("/") if p):
            if ancestor in lines:
                lines[ancestor].subtree.add(lines[unit.id].own)
    total, previous_total = Figures(), Figures()
    for figures in current.values():
        total.add(figures)
    for figures in previous.values():
        previous_total.add(figures)
    return Report(
        root,
        period,
        list(lines.values()),
        total,
        previous_total,
        people,
        lapses_of(people),
        complete=at >= staff_roll.period_end(period),
    )
