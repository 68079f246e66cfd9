"""Compliance of a unit's subtree over a period: aggregated in SQL (a handful of grouped queries, none per
person), rolled up the units tree in Python, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.pledges import VersionMap, versions_by_unit
from compliance.report_lapses import Lapse, lapses
from storage.models import Official, OfficialStatus, Unit
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
    """One unit's (or a subtree's) numbers for a period."""

    active: int = 0
    signed: int = 0
    checks_on_time: int = 0
    checks_late: int = 0
    checks_missed: int = 0
    quiz_takers: int = 0  # (official, week) pairs with a finished weekly quiz
    quiz_slots: int = 0  # active officials × weeks in the period
    quiz_score_sum: float = 0.0
    reminders_sent: int = 0
    reminders_read: int = 0
    item_scores: dict[str, list[int]] = field(default_factory=dict)  # item id -> [score sum, answers]

    def add(self, other: Figures) -> None:
        for name in (
            "active",
            "signed",
            "checks_on_time",
            "checks_late",
            "checks_missed",
            "quiz_takers",
            "quiz_slots",
            "reminders_sent",
            "reminders_read",
        ):
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
    def signed_rate(self) -> float | None:
        return self._ratio(self.signed, self.active)

    @property
    def checks_due(self) -> int:
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
    lapses: list[Lapse]


async def _subtree(session: AsyncSession, root: Unit | None) -> list[Unit]:
    query = select(Unit).order_by(Unit.path)
    if root is not None:
        query = query.where(Unit.path.startswith(root.path))
    return list((await session.scalars(query)).all())


def _members(root: Unit | None) -> ColumnElement[bool]:
    """Officials of the subtree, as one condition of every query: no lists of unit ids (thousands of
    parameters, sent in chunks, each chunk a scan of the activity tables)."""
    if root is None:
        return Official.unit_id.is_not(None)
    return Official.unit_id.in_(select(Unit.id).where(Unit.path.startswith(root.path)))


def _uid(unit_id: int | None) -> int:
    """Rows are filtered on unit membership, so their unit is never empty."""
    assert unit_id is not None
    return unit_id


__all__ = ["Figures", "Lapse", "Period", "PeriodKind", "Report", "UnitLine", "build_report", "period_of"]


def _weeks(period: Period) -> list[date]:
    return [m for m in period.mondays() if period.start <= m + timedelta(days=6) and m <= period.end]


async def _figures(
    session: AsyncSession, members: ColumnElement[bool], periods: Sequence[Period], versions: VersionMap
) -> list[dict[int, Figures]]:
    """Per period and unit (own members only): every figure in six grouped queries over the whole
    subtree, each reading the activity tables once for all the periods (a conditional sum per period:
    periods may share a week, a month and the 30 days before it)."""
    out: list[dict[int, Figures]] = [defaultdict(Figures) for _ in periods]
    weeks = [_weeks(period) for period in periods]
    all_weeks = sorted({week for period_weeks in weeks for week in period_weeks})

    def per_period(condition: Callable[[int], ColumnElement[bool]], value: Any = 1) -> list[Any]:
        return [func.sum(case((condition(n), value), else_=0)) for n in range(len(periods))]

    # Core rows, not the ORM's: these are plain columns, and the ORM's row processing was a third of
    # the time at 50 000 officials
    connection = await session.connection()
    active = Official.status == OfficialStatus.ACTIVE
    rows = await connection.execute(
        select(Official.unit_id, func.count()).where(members, active).group_by(Official.unit_id)
    )
    for unit_id, count in rows:  # membership and signatures as they are now, for every period
        for figures, period_weeks in zip(out, weeks, strict=True):
            figures[_uid(unit_id)].active = int(count)
            figures[_uid(unit_id)].quiz_slots = int(count) * len(period_weeks)
    # per unit and signed version; only the version that applies to the unit counts
    signed = await connection.execute(
        select(Official.unit_id, Signature.pledge_version_id, func.count(func.distinct(Official.id)))
        .join(Signature, Signature.official_id == Official.id)
        .where(members, active, Signature.on_behalf_of_unit.is_(False))
        .group_by(Official.unit_id, Signature.pledge_version_id)
    )
    for unit_id, version_id, count in signed:
        version = versions.for_unit(unit_id)
        if version is not None and version.id == version_id:
            for figures in out:
                figures[_uid(unit_id)].signed = int(count)
    checks = await connection.execute(
        select(Official.unit_id, SelfCheck.status, *per_period(lambda n: SelfCheck.week.in_(weeks[n])))
        .join(Official, Official.id == SelfCheck.official_id)
        .where(members, SelfCheck.week.in_(all_weeks))
        .group_by(Official.unit_id, SelfCheck.status)
    )
    for unit_id, status, *counts in checks:
        for figures, count in zip(out, counts, strict=True):
            target = figures[_uid(unit_id)]
            if status == "done":
                target.checks_on_time += int(count)
            elif status == "late":
                target.checks_late += int(count)
            elif status == "missed":
                target.checks_missed += int(count)
    in_week = [SelfCheck.week.in_(period_weeks) for period_weeks in weeks]
    items = await connection.execute(
        select(
            Official.unit_id,
            SelfCheckAnswer.item_id,
            *per_period(lambda n: in_week[n], SelfCheckAnswer.score),
            *per_period(lambda n: in_week[n]),
        )
        .join(SelfCheck, SelfCheck.id == SelfCheckAnswer.self_check_id)
        .join(Official, Official.id == SelfCheck.official_id)
        .where(members, SelfCheck.week.in_(all_weeks))
        .group_by(Official.unit_id, SelfCheckAnswer.item_id)
    )
    for unit_id, item_id, *sums in items:
        for n, figures in enumerate(out):
            if sums[len(out) + n]:
                figures[_uid(unit_id)].item_scores[item_id] = [int(sums[n] or 0), int(sums[len(out) + n])]
    quizzes = await connection.execute(
        select(
            Official.unit_id,
            *per_period(lambda n: QuizAttempt.week.in_(weeks[n])),
            *per_period(
                lambda n: QuizAttempt.week.in_(weeks[n]), QuizAttempt.score * 1.0 / QuizAttempt.answered
            ),
        )
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
    for unit_id, *sums in quizzes:
        for n, figures in enumerate(out):
            figures[_uid(unit_id)].quiz_takers = int(sums[n] or 0)
            figures[_uid(unit_id)].quiz_score_sum = float(sums[len(out) + n] or 0)
    in_period = [DailyReminder.day.between(period.start, period.end) for period in periods]
    read = DailyReminder.read_at.is_not(None)
    reminders = await connection.execute(
        select(
            Official.unit_id,
            *per_period(lambda n: in_period[n]),
            *per_period(lambda n: and_(in_period[n], read)),
        )
        .join(Official, Official.id == DailyReminder.official_id)
        .where(
            members,
            DailyReminder.day >= min(period.start for period in periods),
            DailyReminder.day <= max(period.end for period in periods),
        )
        .group_by(Official.unit_id)
    )
    for unit_id, *sums in reminders:
        for n, figures in enumerate(out):
            figures[_uid(unit_id)].reminders_sent = int(sums[n] or 0)
            figures[_uid(unit_id)].reminders_read = int(sums[len(out) + n] or 0)
    return out


async def build_report(session: AsyncSession, *, root: Unit | None, period: Period) -> Report:
    units = await _subtree(session, root)
    members = _members(root)
    versions = await versions_by_unit(session)
    current, previous = await _figures(session, members, [period, period.previous()], versions)
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
        await lapses(session, members, units, period, versions),
    )
