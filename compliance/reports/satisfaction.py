"""Citizens' satisfaction per unit and period (issue 16): the ratings, the index as SIPAS reports it (the
share of "satisfied" and "very satisfied"), each question's distribution, the trips, the flags and how the
heads followed them up, and the trend.

A province holds about a million ratings a year over 2 000 units: the database groups them by unit (on the
index (unit_id, created_at)) and Python adds each unit's line into its ancestors' subtrees, as the
compliance roll-up does. A bounded number of queries whatever the size, none per unit. Ratings set aside as
spam never count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.reports.period import Period
from storage.engine import dialect_of
from storage.models import Unit
from storage.models_feedback import CitizenRating, RatingFollowUp

LOCAL_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")
LEVELS: Final = (1, 2, 3, 4, 5)
SATISFIED_FROM: Final = 4  # "Hài lòng" and "Rất hài lòng"
TRIPS: Final = (1, 2, 3)  # 3: three or more
# A subtree holding more than 1/WIDE_SHARE of the units is read by a pass over the table on SQLite.
WIDE_SHARE: Final = 4
# A yes/no question's answers in the distributions' order; None: not answered.
ANSWERS: Final = (True, False, None)


def _counts(size: int) -> list[int]:
    return [0] * size


@dataclass
class SatisfactionFigures:
    """One unit's (or its subtree's) ratings in a period. Distributions are counts in the order of LEVELS,
    TRIPS and ANSWERS."""

    ratings: int = 0
    satisfied: int = 0  # overall 4–5
    flags: int = 0  # flagged: a level of 1–2 or a "yes" to being asked beyond the rules
    flags_followed: int = 0  # flagged with at least one follow-up recorded
    flags_resolved: int = 0  # flagged whose latest follow-up says resolved
    asked_beyond_rules: int = 0
    overall: list[int] = field(default_factory=lambda: _counts(len(LEVELS)))
    attitude: list[int] = field(default_factory=lambda: _counts(len(LEVELS)))
    trips: list[int] = field(default_factory=lambda: _counts(len(TRIPS)))
    papers_posted: list[int] = field(default_factory=lambda: _counts(len(ANSWERS)))
    progress_lookup: list[int] = field(default_factory=lambda: _counts(len(ANSWERS)))

    @property
    def index(self) -> float | None:
        """Satisfied / ratings (SIPAS), None without a rating."""
        return self.satisfied / self.ratings if self.ratings else None

    @property
    def attitude_index(self) -> float | None:
        return sum(self.attitude[SATISFIED_FROM - 1 :]) / self.ratings if self.ratings else None

    @property
    def first_trip_rate(self) -> float | None:
        """Dossiers settled in one trip, the one-stop rules' aim."""
        return self.trips[0] / self.ratings if self.ratings else None

    @property
    def flags_open(self) -> int:
        return self.flags - self.flags_resolved

    def add(self, other: SatisfactionFigures) -> None:
        self.ratings += other.ratings
        self.satisfied += other.satisfied
        self.flags += other.flags
        self.flags_followed += other.flags_followed
        self.flags_resolved += other.flags_resolved
        self.asked_beyond_rules += other.asked_beyond_rules
        for mine, theirs in (
            (self.overall, other.overall),
            (self.attitude, other.attitude),
            (self.trips, other.trips),
            (self.papers_posted, other.papers_posted),
            (self.progress_lookup, other.progress_lookup),
        ):
            for n, count in enumerate(theirs):
                mine[n] += count


def period_bounds(period: Period) -> tuple[datetime, datetime]:
    """A period of local dates as UTC instants: [its first day's midnight, the day after its last)."""
    return _midnight(period.start), _midnight(period.end + timedelta(days=1))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC)


def counted(start: datetime, end: datetime, *, scan: bool = False) -> ColumnElement[bool]:
    """The ratings a report counts: in [start, end), not set aside. `scan`: written so that SQLite reads
    the table through rather than the index (see _Tree.scan)."""
    rating = CitizenRating
    created: Any = func.coalesce(rating.created_at, rating.created_at) if scan else rating.created_at
    return and_(created >= start, created < end, rating.set_aside_at.is_(None))


def _unit_column(tree: _Tree) -> Any:
    return func.coalesce(CitizenRating.unit_id, 0) if tree.scan else CitizenRating.unit_id


def _where(condition: ColumnElement[bool]) -> Any:
    """count(*) FILTER (WHERE …), on both engines: a quarter faster than SUM(CASE …) over a million rows
    on SQLite (bench/feedback.py)."""
    return func.count().filter(condition)


def _is(column: Any, value: object) -> Any:
    return _where(column.is_(None) if value is None else column == value)


def _columns(unit: Any) -> list[Any]:
    rating = CitizenRating
    return [
        unit,
        func.count(),
        _where(rating.overall >= SATISFIED_FROM),
        _where(rating.flagged.is_(True)),
        _where(rating.asked_beyond_rules.is_(True)),
        *(_is(rating.overall, level) for level in LEVELS),
        *(_is(rating.attitude, level) for level in LEVELS),
        *(_is(rating.trips, trips) for trips in TRIPS),
        *(_is(rating.papers_posted, answer) for answer in ANSWERS),
        *(_is(rating.progress_lookup, answer) for answer in ANSWERS),
    ]


def _figures_of(row: Sequence[Any]) -> SatisfactionFigures:
    values = [int(v or 0) for v in row[1:]]
    ratings, satisfied, flags, asked = values[:4]
    rest = values[4:]
    spans = (len(LEVELS), len(LEVELS), len(TRIPS), len(ANSWERS), len(ANSWERS))
    parts: list[list[int]] = []
    for size in spans:
        parts.append(rest[:size])
        rest = rest[size:]
    return SatisfactionFigures(
        ratings=ratings,
        satisfied=satisfied,
        flags=flags,
        asked_beyond_rules=asked,
        overall=parts[0],
        attitude=parts[1],
        trips=parts[2],
        papers_posted=parts[3],
        progress_lookup=parts[4],
    )


@dataclass(frozen=True)
class _Tree:
    """The requested units and every unit below them, by id with its path's ancestor ids."""

    requested: frozenset[int]
    ancestors: dict[int, tuple[int, ...]]  # unit id -> the requested units whose subtree holds it
    everything: bool  # the requested subtrees cover every unit: no unit filter in the queries
    # SQLite, and a good share of the office: read the table through. Its planner otherwise walks the
    # (unit_id, created_at) index and fetches each row by its id, which measured five times slower for a
    # whole office's year than one pass over the table (bench/feedback.py).
    scan: bool = False


async def _tree(session: AsyncSession, unit_ids: Sequence[int]) -> _Tree:
    requested = frozenset(unit_ids)
    # A province has a few thousand units: one query for all their paths beats a prefix test per unit.
    paths = (await session.execute(select(Unit.id, Unit.path))).all()
    ancestors: dict[int, tuple[int, ...]] = {}
    for unit_id, path in paths:
        mine = tuple(int(p) for p in path.strip("/").split("/") if p and int(p) in requested)
        if mine:
            ancestors[unit_id] = mine
    wide = dialect_of(session) == "sqlite" and len(ancestors) * WIDE_SHARE > len(paths)
    return _Tree(requested, ancestors, everything=len(ancestors) == len(paths), scan=wide)


def _units_filter(tree: _Tree) -> list[ColumnElement[bool]]:
    return [] if tree.everything else [CitizenRating.unit_id.in_(sorted(tree.ancestors))]


async def _own(
    session: AsyncSession, tree: _Tree, start: datetime, end: datetime
) -> dict[int, SatisfactionFigures]:
    unit = _unit_column(tree)
    query = (
        select(*_columns(unit))
        .where(counted(start, end, scan=tree.scan), *_units_filter(tree))
        .group_by(unit)
    )
    return {int(row[0]): _figures_of(row) for row in (await session.execute(query)).all()}


async def _follow_ups(
    session: AsyncSession, tree: _Tree, start: datetime, end: datetime, own: dict[int, SatisfactionFigures]
) -> None:
    """Flags followed and resolved (by the latest follow-up) into each unit's own figures: one query of the
    period's follow-ups (a few per cent of the ratings), the latest of each rating picked here. (A join on
    a grouped subquery of the latest ids took SQLite a nested loop over every rating.)"""
    query = (
        select(CitizenRating.unit_id, RatingFollowUp.rating_id, RatingFollowUp.id, RatingFollowUp.resolved)
        .join(CitizenRating, CitizenRating.id == RatingFollowUp.rating_id)
        .where(counted(start, end, scan=tree.scan), CitizenRating.flagged, *_units_filter(tree))
    )
    latest: dict[int, tuple[int, int, bool]] = {}
    for unit_id, rating_id, follow_up_id, resolved in (await session.execute(query)).all():
        if rating_id not in latest or follow_up_id > latest[rating_id][1]:
            latest[rating_id] = (int(unit_id), int(follow_up_id), bool(resolved))
    for unit_id, _follow_up_id, resolved in latest.values():
        figures = own.setdefault(unit_id, SatisfactionFigures())
        figures.flags_followed += 1
        figures.flags_resolved += int(resolved)


def _rolled_up(tree: _Tree, own: dict[int, SatisfactionFigures]) -> dict[int, SatisfactionFigures]:
    result = {unit_id: SatisfactionFigures() for unit_id in tree.requested}
    for unit_id, figures in own.items():
        for ancestor in tree.ancestors.get(unit_id, ()):
            result[ancestor].add(figures)
    return result


async def unit_figures(
    session: AsyncSession, *, unit_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, SatisfactionFigures]:
    """Each requested unit's subtree's figures for ratings in [start, end) (every requested id is a key,
    with zero figures when nothing was rated)."""
    if not unit_ids:
        return {}
    tree = await _tree(session, unit_ids)
    own = await _own(session, tree, start, end)
    await _follow_ups(session, tree, start, end, own)
    return _rolled_up(tree, own)


async def own_figures(
    session: AsyncSession, *, unit_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, SatisfactionFigures]:
    """Each unit's own ratings only (a table of units beside their subtrees' lines)."""
    if not unit_ids:
        return {}
    tree = _Tree(frozenset(unit_ids), {u: (u,) for u in unit_ids}, everything=False)
    own = await _own(session, tree, start, end)
    await _follow_ups(session, tree, start, end, own)
    return {unit_id: own.get(unit_id, SatisfactionFigures()) for unit_id in unit_ids}


@dataclass(frozen=True)
class TrendPoint:
    start: date  # the bucket's first local day (a Monday, or the 1st of a month)
    ratings: int
    satisfied: int

    @property
    def index(self) -> float | None:
        return self.satisfied / self.ratings if self.ratings else None


def buckets(period: Period, by: str) -> list[Period]:
    """The weeks ("week") or months ("month") a period touches, each cut to the period."""
    found: list[Period] = []
    day = period.start
    while day <= period.end:
        if by == "week":
            following = day - timedelta(days=day.weekday()) + timedelta(days=7)
        else:
            following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        found.append(Period(day, min(period.end, following - timedelta(days=1))))
        day = following
    return found


def _bucket_of(periods: Sequence[Period]) -> ColumnElement[int]:
    """The bucket a rating falls in: a CASE on the instants that end them (the same SQL on both engines)."""
    edges = [period_bounds(bucket)[1] for bucket in periods]
    return case(
        *((CitizenRating.created_at < edge, n) for n, edge in enumerate(edges[:-1])), else_=len(edges) - 1
    )


def _points(periods: Sequence[Period], totals: dict[int, list[list[int]]]) -> dict[int, list[TrendPoint]]:
    return {
        unit_id: [TrendPoint(p.start, r, sat) for p, (r, sat) in zip(periods, counts, strict=True)]
        for unit_id, counts in totals.items()
    }


async def trend(
    session: AsyncSession, *, unit_ids: Sequence[int], period: Period, by: str = "month"
) -> dict[int, list[TrendPoint]]:
    """Each requested subtree's ratings and index per week or month of the period, in one grouped query,
    the same roll-up as unit_figures."""
    if not unit_ids:
        return {}
    tree = await _tree(session, unit_ids)
    periods = buckets(period, by)
    bucket = _bucket_of(periods)
    start, end = period_bounds(period)
    unit = _unit_column(tree)
    query = (
        select(unit, bucket, func.count(), _where(CitizenRating.overall >= SATISFIED_FROM))
        .where(counted(start, end, scan=tree.scan), *_units_filter(tree))
        .group_by(unit, bucket)
    )
    totals = {unit_id: [[0, 0] for _ in periods] for unit_id in tree.requested}
    for unit_id, n, ratings, satisfied in (await session.execute(query)).all():
        for ancestor in tree.ancestors.get(int(unit_id), ()):
            totals[ancestor][int(n)][0] += int(ratings)
            totals[ancestor][int(n)][1] += int(satisfied or 0)
    return _points(periods, totals)


async def figures_and_trend(
    session: AsyncSession, *, unit_ids: Sequence[int], period: Period, by: str = "month"
) -> tuple[dict[int, SatisfactionFigures], dict[int, list[TrendPoint]]]:
    """unit_figures and trend of the same period in one pass over its ratings (grouped by unit and
    bucket): on SQLite a whole office's year costs one sort of its rows, not two."""
    if not unit_ids:
        return {}, {}
    tree = await _tree(session, unit_ids)
    periods = buckets(period, by)
    bucket = _bucket_of(periods)
    start, end = period_bounds(period)
    unit = _unit_column(tree)
    query = (
        select(*_columns(unit), bucket)
        .where(counted(start, end, scan=tree.scan), *_units_filter(tree))
        .group_by(unit, bucket)
    )
    own: dict[int, SatisfactionFigures] = {}
    totals = {unit_id: [[0, 0] for _ in periods] for unit_id in tree.requested}
    for row in (await session.execute(query)).all():
        unit_id, n, part = int(row[0]), int(row[-1]), _figures_of(row[:-1])
        own.setdefault(unit_id, SatisfactionFigures()).add(part)
        for ancestor in tree.ancestors.get(unit_id, ()):
            totals[ancestor][n][0] += part.ratings
            totals[ancestor][n][1] += part.satisfied
    await _follow_ups(session, tree, start, end, own)
    return _rolled_up(tree, own), _points(periods, totals)
