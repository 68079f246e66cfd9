"""Compliance of a unit's subtree over a period, against its staff list (compliance.office.staff_roll): the
roster of everyone on the list (compliance.reports.lapses) folded into each unit's figures and rolled up
the units tree in Python; the item scores and the previous period's totals in aggregates of their own.
A bounded number of queries whatever the size, none per person, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from compliance.office import staff_roll
from compliance.office.units import is_live, tree_sorted
from compliance.pledge.signing import versions_by_unit
from compliance.reports.collector import collector_paused
from compliance.reports.lapses import Lapse, Person, lapses_of, roster, signing_year
from compliance.reports.period import Period
from storage.models import Official, Unit
from storage.models_pledge import Signature
from storage.models_practice import DailyReminder, QuizAttempt, SelfCheck, SelfCheckAnswer

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class Figures:
    """One unit's (or a subtree's) numbers for a period, every count against the staff list at the period's
    cut-off (compliance.office.staff_roll): on the list, joined, signed, self-checks done of those due."""

    on_list: int = 0
    joined: int = 0
    signed: int = 0
    signed_in_year: int = 0  # signed (any version) in the cut-off's calendar year: Report.year
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

    def set_checks(self, status: str, count: int) -> None:
        """A self-check status's count, as grouped queries read it ("open" ones are not due yet)."""
        if status == "done":
            self.checks_on_time = count
        elif status == "late":
            self.checks_late = count
        elif status == "missed":
            self.checks_missed = count

    def add(self, other: Figures) -> None:
        # spelt out rather than a loop with getattr and setattr: a province's roll-up adds 8 000 times
        # (each unit into its ancestors' subtrees)
        self.on_list += other.on_list
        self.joined += other.joined
        self.signed += other.signed
        self.signed_in_year += other.signed_in_year
        self.checks_on_time += other.checks_on_time
        self.checks_late += other.checks_late
        self.checks_missed += other.checks_missed
        self.check_slots += other.check_slots
        self.quiz_takers += other.quiz_takers
        self.quiz_slots += other.quiz_slots
        self.reminders_sent += other.reminders_sent
        self.reminders_read += other.reminders_read
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
    def signed_in_year_rate(self) -> float | None:
        return self._ratio(self.signed_in_year, self.on_list)

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
    year: int = 0  # the calendar year of the cut-off: the one the "signed in <year>" figure counts


def report_year(period: Period) -> int:
    """The "signed in <year>" figure's year for a period read now (the Excel sheet's column title)."""
    return signing_year(period, staff_roll.cutoff(period))


async def _subtree(session: AsyncSession, root: Unit | None) -> list[Unit]:
    # Merged units are history: their people, counted by current unit, are under the unit they went to.
    query = select(Unit).where(is_live())
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
    "Person",
    "Report",
    "UnitLine",
    "build_report",
    "due_weeks",
    "period_totals",
]


def due_weeks(period: Period, at: datetime) -> list[date]:
    """The Mondays of the weeks the period touches that have begun by `at`: a week not begun asks nothing."""
    today = at.astimezone(LOCAL_TZ).date()
    last = min(period.end, today)
    return [m for m in period.mondays() if period.start <= m + timedelta(days=6) and m <= last]


async def _totals(session: AsyncSession, members: ColumnElement[bool], period: Period) -> Figures:
    """A period's figures for the whole subtree (the previous period's, for the trend): aggregates over
    the people on the list at its cut-off, each activity table read once with their ids as a subquery."""
    at = staff_roll.cutoff(period)
    weeks = due_weeks(period, at)
    listed = and_(members, staff_roll.on_list(at))
    ids = select(Official.id).where(listed)
    connection = await session.connection()  # Core rows: plain columns, no ORM row processing
    f = Figures()
    on_list, joined = (
        await connection.execute(
            select(func.count(), staff_roll.count_if(staff_roll.joined(at)))
            .select_from(Official)
            .where(listed)
        )
    ).one()
    f.on_list, f.joined = int(on_list or 0), int(joined or 0)
    f.check_slots = f.quiz_slots = f.on_list * len(weeks)
    versions = await versions_by_unit(session, as_of=at)
    signatures = await connection.execute(  # only the version that applied to the unit at the cut-off
        select(Signature.official_id, Official.unit_id, Signature.pledge_version_id)
        .join(Official, Official.id == Signature.official_id)
        .where(listed, Signature.on_behalf_of_unit.is_(False), Signature.signed_at <= at)
    )
    f.signed = len(
        {
            official_id
            for official_id, unit_id, version_id in signatures.all()
            if (version := versions.for_unit(unit_id)) is not None and version.id == version_id
        }
    )
    checks = await connection.execute(
        select(SelfCheck.status, func.count())
        .where(SelfCheck.official_id.in_(ids), SelfCheck.week.in_(weeks))
        .group_by(SelfCheck.status)
    )
    for status, count in checks.all():
        f.set_checks(status, int(count))
    await _item_scores(connection, ids, weeks, f)
    takers, score = (
        await connection.execute(
            select(func.count(), func.sum(QuizAttempt.score * 1.0 / QuizAttempt.answered)).where(
                QuizAttempt.official_id.in_(ids),
                QuizAttempt.practice.is_(False),
                QuizAttempt.week.in_(weeks),
                QuizAttempt.finished_at.is_not(None),
                QuizAttempt.answered > 0,
            )
        )
    ).one()
    f.quiz_takers, f.quiz_score_sum = int(takers or 0), float(score or 0)
    sent, read = (
        await connection.execute(
            select(func.count(), func.count(DailyReminder.read_at)).where(
                DailyReminder.official_id.in_(ids), DailyReminder.day.between(period.start, period.end)
            )
        )
    ).one()
    f.reminders_sent, f.reminders_read = int(sent or 0), int(read or 0)
    return f


async def period_totals(session: AsyncSession, *, root: Unit | None, period: Period) -> Figures:
    """A subtree's (the office's for None) figures for a period as a whole, without the per-unit lines
    or the people: the trend of earlier periods on the web dashboard."""
    with collector_paused():
        return await _totals(session, staff_roll.within(root), period)


async def _item_scores(
    connection: AsyncConnection, ids: Select[Any], weeks: Sequence[date], f: Figures
) -> None:
    """The self-assessments of each pledge item by the people `ids` in `weeks`: one grouped query."""
    items = await connection.execute(
        select(SelfCheckAnswer.item_id, func.sum(SelfCheckAnswer.score), func.count())
        .join(SelfCheck, SelfCheck.id == SelfCheckAnswer.self_check_id)
        .where(SelfCheck.official_id.in_(ids), SelfCheck.week.in_(weeks))
        .group_by(SelfCheckAnswer.item_id)
    )
    for item_id, total, count in items.all():
        if count:
            f.item_scores[item_id] = [int(total or 0), int(count)]


def _fold(people: Sequence[Person], weeks: int) -> dict[int, Figures]:
    """The period's figures per unit from its people (on the list at the cut-off, what each did): the
    roster has read every row these figures need, so they are not read a second time."""
    out: dict[int, Figures] = defaultdict(Figures)
    for person in people:
        f = out[person.unit_id]
        f.on_list += 1
        f.joined += person.joined
        f.signed += person.signed_at is not None
        f.signed_in_year += person.signed_in_year
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
    the previous period's, for the trend, in grouped queries of their own. Made with the garbage collector
    paused (reports.collector): a province's roster is 50 000 people it would walk again and again."""
    with collector_paused():
        return await _build_report(session, root=root, period=period)


async def _build_report(session: AsyncSession, *, root: Unit | None, period: Period) -> Report:
    units = await _subtree(session, root)
    members = staff_roll.within(root)
    at = staff_roll.cutoff(period)
    weeks = due_weeks(period, at)
    people = await roster(session, members, units, period, at, weeks, whole=root is None)
    current = _fold(people, len(weeks))
    previous_total = await _totals(session, members, period.previous())
    lines = {
        u.id: UnitLine(u.id, u.name, u.code, u.depth, current.get(u.id, Figures()), Figures()) for u in units
    }
    for unit in units:  # each unit's own figures count in its own and every ancestor's subtree
        for ancestor in (int(p) for p in unit.path.strip("/").split("/") if p):
            if ancestor in lines:
                lines[ancestor].subtree.add(lines[unit.id].own)
    total = Figures()
    for figures in current.values():
        total.add(figures)
    # the items only as a whole: the weakest item is the subtree's, never a unit's
    ids = select(Official.id).where(members, staff_roll.on_list(at))
    await _item_scores(await session.connection(), ids, weeks, total)
    return Report(
        root,
        period,
        list(lines.values()),
        total,
        previous_total,
        people,
        lapses_of(people),
        complete=at >= staff_roll.period_end(period),
        year=signing_year(period, at),
    )
