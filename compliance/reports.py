"""Compliance of a unit's subtree over a period: aggregated in SQL (a handful of grouped queries, none per
person), rolled up the units tree in Python, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.pledges import VersionMap, versions_by_unit
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


@dataclass(frozen=True)
class Lapse:
    official_id: int
    full_name: str
    unit_name: str
    kind: str  # not_signed | missed_twice | never_read | unreachable
    unit_id: int = 0


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


async def _figures(
    session: AsyncSession, members: ColumnElement[bool], period: Period, versions: VersionMap
) -> dict[int, Figures]:
    """Per unit (own members only): every figure in six grouped queries over the whole subtree."""
    figures: dict[int, Figures] = defaultdict(Figures)
    # Core rows, not the ORM's: these are plain columns, and the ORM's row processing was a third of
    # the time at 50 000 officials
    connection = await session.connection()
    mondays = [m for m in period.mondays() if period.start <= m + timedelta(days=6) and m <= period.end]
    active = Official.status == OfficialStatus.ACTIVE
    rows = await connection.execute(
        select(Official.unit_id, func.count()).where(members, active).group_by(Official.unit_id)
    )
    for unit_id, count in rows:
        figures[_uid(unit_id)].active = int(count)
        figures[_uid(unit_id)].quiz_slots = int(count) * len(mondays)
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
            figures[_uid(unit_id)].signed = int(count)
    checks = await connection.execute(
        select(Official.unit_id, SelfCheck.status, func.count())
        .join(Official, Official.id == SelfCheck.official_id)
        .where(members, SelfCheck.week.in_(mondays))
        .group_by(Official.unit_id, SelfCheck.status)
    )
    for unit_id, status, count in checks:
        target = figures[_uid(unit_id)]
        if status == "done":
            target.checks_on_time += int(count)
        elif status == "late":
            target.checks_late += int(count)
        elif status == "missed":
            target.checks_missed += int(count)
    items = await connection.execute(
        select(Official.unit_id, SelfCheckAnswer.item_id, func.sum(SelfCheckAnswer.score), func.count())
        .join(SelfCheck, SelfCheck.id == SelfCheckAnswer.self_check_id)
        .join(Official, Official.id == SelfCheck.official_id)
        .where(members, SelfCheck.week.in_(mondays))
        .group_by(Official.unit_id, SelfCheckAnswer.item_id)
    )
    for unit_id, item_id, total, count in items:
        figures[_uid(unit_id)].item_scores[item_id] = [int(total or 0), int(count)]
    quizzes = await connection.execute(
        select(Official.unit_id, func.count(), func.sum(QuizAttempt.score * 1.0 / QuizAttempt.answered))
        .join(Official, Official.id == QuizAttempt.official_id)
        .where(
            members,
            QuizAttempt.practice.is_(False),
            QuizAttempt.week.in_(mondays),
            QuizAttempt.finished_at.is_not(None),
            QuizAttempt.answered > 0,
        )
        .group_by(Official.unit_id)
    )
    for unit_id, count, score_sum in quizzes:
        figures[_uid(unit_id)].quiz_takers = int(count)
        figures[_uid(unit_id)].quiz_score_sum = float(score_sum or 0)
    reminders = await connection.execute(
        select(
            Official.unit_id,
            func.count(),
            func.sum(case((DailyReminder.read_at.is_not(None), 1), else_=0)),
        )
        .join(Official, Official.id == DailyReminder.official_id)
        .where(members, DailyReminder.day >= period.start, DailyReminder.day <= period.end)
        .group_by(Official.unit_id)
    )
    for unit_id, count, read in reminders:
        figures[_uid(unit_id)].reminders_sent = int(count)
        figures[_uid(unit_id)].reminders_read = int(read or 0)
    return figures


async def _lapses(
    session: AsyncSession,
    members: ColumnElement[bool],
    units: list[Unit],
    period: Period,
    versions: VersionMap,
) -> list[Lapse]:
    """Names, for the head only: not signed, two self-checks missed in a row, no reminder read,
    unreachable. Four queries over the whole subtree."""
    names = {u.id: u.name for u in units}
    connection = await session.connection()  # Core rows, as in _figures
    unreachable = Official.status == OfficialStatus.UNREACHABLE  # a flag: no enum conversion per row
    people = (
        await connection.execute(
            select(Official.id, Official.full_name, Official.unit_id, unreachable).where(
                members, Official.status.in_([OfficialStatus.ACTIVE, OfficialStatus.UNREACHABLE])
            )
        )
    ).all()
    unit_of = {official_id: unit_id for official_id, _, unit_id, _ in people}
    signatures = await connection.execute(
        select(Signature.official_id, Signature.pledge_version_id)
        .join(Official, Official.id == Signature.official_id)
        .where(members, Signature.on_behalf_of_unit.is_(False))
    )
    signed_current = {
        official_id
        for official_id, version_id in signatures
        if (version := versions.for_unit(unit_of.get(official_id))) is not None and version.id == version_id
    }
    # the last two weeks closed by the period's end, even when the period is a single week
    last_closed = period.end - timedelta(days=6)
    last_closed -= timedelta(days=last_closed.weekday())
    missed_twice = set(
        (
            await connection.scalars(
                select(SelfCheck.official_id)
                .join(Official, Official.id == SelfCheck.official_id)
                .where(
                    members,
                    SelfCheck.week.in_([last_closed - timedelta(days=7), last_closed]),
                    SelfCheck.status == "missed",
                )
                .group_by(SelfCheck.official_id)
                .having(func.count() == 2)
            )
        ).all()
    )
    never_read = set(
        (
            await connection.scalars(
                select(DailyReminder.official_id)
                .join(Official, Official.id == DailyReminder.official_id)
                .where(members, DailyReminder.day >= period.start, DailyReminder.day <= period.end)
                .group_by(DailyReminder.official_id)
                .having(func.sum(case((DailyReminder.read_at.is_not(None), 1), else_=0)) == 0)
            )
        ).all()
    )
    found: list[Lapse] = []
    for official_id, full_name, unit_id, is_unreachable in people:
        unit_name = names[_uid(unit_id)]
        if is_unreachable:
            found.append(Lapse(official_id, full_name, unit_name, "unreachable", _uid(unit_id)))
        if versions.for_unit(unit_id) is not None and official_id not in signed_current:
            found.append(Lapse(official_id, full_name, unit_name, "not_signed", _uid(unit_id)))
        if official_id in missed_twice:
            found.append(Lapse(official_id, full_name, unit_name, "missed_twice", _uid(unit_id)))
        if official_id in never_read:
            found.append(Lapse(official_id, full_name, unit_name, "never_read", _uid(unit_id)))
    return sorted(found, key=lambda lapse: (lapse.kind, lapse.unit_name, lapse.full_name))


async def build_report(session: AsyncSession, *, root: Unit | None, period: Period) -> Report:
    units = await _subtree(session, root)
    members = _members(root)
    versions = await versions_by_unit(session)
    current = await _figures(session, members, period, versions)
    previous = await _figures(session, members, period.previous(), versions)
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
        await _lapses(session, members, units, period, versions),
    )
