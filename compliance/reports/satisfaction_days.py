"""The daily roll-up of citizens' ratings (storage.models_feedback_rollup): each closed local day's counted
ratings added up per point and unit, so that a year's figures read a few hundred thousand sums instead of a
million ratings (bench/feedback.py).

Kept in step without any work on the public form's path:
- every read of the figures first calls catch_up: it rolls the days closed since the last roll, and rolls
  again any rolled day that received a rating afterwards (a higher id than the roll saw: an import, demo
  data); the first read after the upgrade rolls every day;
- setting a rating aside as spam or restoring it (compliance.feedback.spam), or erasing one, calls
  refresh_days for its day;
- rebuild drops everything and rolls it again (idempotent), for an operator who doubts the sums.
Today is never rolled: its figures always come from the ratings themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Date,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import LOCAL_TZ, utcnow
from storage.engine import dialect_of, hold_lock
from storage.models import Unit
from storage.models_feedback import CitizenRating
from storage.models_feedback_rollup import RatingDay, RatingMonth, RatingRollup

# A rating in flight at midnight is written before its day is rolled: a day is closed this long after it.
GRACE: Final = timedelta(minutes=10)
# Up to this many days are found through the (unit_id, created_at) index; more, by a pass over the table.
SHORT_SPAN: Final = 7
LOCK_KEY: Final = 0x16_0022  # issue 16, migration 0022: one roll at a time across replicas

# (rating_days column, what it counts among a day's counted ratings), in the order of the report's columns
# (compliance.reports.satisfaction._columns): the ratings, then each answer.
_ANSWER_COUNTS: Final[list[tuple[str, Any]]] = [
    ("flags", CitizenRating.flagged.is_(True)),
    ("asked", CitizenRating.asked_beyond_rules.is_(True)),
    *((f"overall_{n}", CitizenRating.overall == n) for n in range(1, 6)),
    *((f"attitude_{n}", CitizenRating.attitude == n) for n in range(1, 6)),
    *((f"trips_{n}", CitizenRating.trips == n) for n in range(1, 4)),
    ("papers_yes", CitizenRating.papers_posted.is_(True)),
    ("papers_no", CitizenRating.papers_posted.is_(False)),
    ("papers_none", CitizenRating.papers_posted.is_(None)),
    ("lookup_yes", CitizenRating.progress_lookup.is_(True)),
    ("lookup_no", CitizenRating.progress_lookup.is_(False)),
    ("lookup_none", CitizenRating.progress_lookup.is_(None)),
]
_COUNT_NAMES: Final = ["ratings", *(name for name, _ in _ANSWER_COUNTS)]


def midnight(day: date) -> datetime:
    """A local day's first instant, aware."""
    return datetime.combine(day, time(0), LOCAL_TZ)


def local_day_of(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def _local_day(session: AsyncSession) -> ColumnElement[Any]:
    """A rating's local day, computed by the database (SQLite stores naive UTC text; Viet Nam keeps one
    offset all year, so an offset is exact there)."""
    if dialect_of(session) == "postgresql":
        zone: ColumnElement[str] = literal_column(f"'{LOCAL_TZ.key}'")
        return cast(func.timezone(zone, CitizenRating.created_at), Date)
    offset = LOCAL_TZ.utcoffset(datetime(2000, 1, 1))
    assert offset is not None
    minutes = int(offset.total_seconds() // 60)
    return func.date(CitizenRating.created_at, literal_column(f"'{minutes:+d} minutes'"))


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days as [first, last] runs."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


async def _roll(session: AsyncSession, first: date, last: date) -> None:
    """Days [first, last] rolled again from their ratings (what was there is replaced)."""
    await session.execute(delete(RatingDay).where(RatingDay.day >= first, RatingDay.day <= last))
    day = _local_day(session)
    rating = CitizenRating
    where = [
        rating.created_at >= midnight(first),
        rating.created_at < midnight(last + timedelta(days=1)),
        rating.set_aside_at.is_(None),
    ]
    if (last - first).days < SHORT_SPAN:
        # Every unit's id: the index (unit_id, created_at) then finds a day's rows without a pass.
        where.append(rating.unit_id.in_(select(Unit.id)))
    counts = [func.count().filter(condition) for _, condition in _ANSWER_COUNTS]
    rows = (
        select(rating.unit_id, day, rating.point_id, func.count(), *counts)
        .where(*where)
        .group_by(rating.unit_id, day, rating.point_id)
    )
    names = ["unit_id", "day", "point_id", *_COUNT_NAMES]
    await session.execute(insert(RatingDay).from_select(names, rows))


async def _state(session: AsyncSession) -> tuple[date | None, int]:
    row = (await session.execute(select(RatingRollup.through, RatingRollup.seen_id))).first()
    return (row[0], int(row[1])) if row is not None else (None, 0)


async def _save_state(session: AsyncSession, through: date | None, seen_id: int) -> None:
    upsert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    values = {"through": through, "seen_id": seen_id, "rolled_at": utcnow()}
    statement = upsert(RatingRollup).values(id=1, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=values))


async def _plan(session: AsyncSession, last_closed: date) -> tuple[list[date], date | None, int]:
    """(the days to roll, the roll-up's new end, the highest rating id it will have seen)."""
    through, seen = await _state(session)
    top = int(await session.scalar(select(func.max(CitizenRating.id))) or 0)
    days: set[date] = set()
    if through is not None and top > seen:
        late = (
            select(_local_day(session))
            .distinct()
            .where(
                CitizenRating.id > seen,
                CitizenRating.id <= top,
                CitizenRating.created_at < midnight(through + timedelta(days=1)),
            )
        )
        days.update(_as_date(day) for day in (await session.scalars(late)).all())
    if through is None:
        oldest = await session.scalar(
            select(func.min(CitizenRating.created_at)).where(CitizenRating.id <= top)
        )
        first = local_day_of(oldest) if oldest is not None else last_closed + timedelta(days=1)
    else:
        first = through + timedelta(days=1)
    day = first
    while day <= last_closed:
        days.add(day)
        day += timedelta(days=1)
    end = max(through, last_closed) if through is not None else last_closed
    return sorted(days), end, top


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def last_closed_day(now: datetime | None = None) -> date:
    """The latest local day that ended at least GRACE ago."""
    return local_day_of((now or utcnow()) - GRACE) - timedelta(days=1)


async def catch_up(session: AsyncSession) -> date | None:
    """Roll what is missing (see the module's docstring); the last rolled day, None when nothing is.
    Cheap when nothing is: two reads by primary key."""
    last_closed = last_closed_day()
    through, seen = await _state(session)
    top = int(await session.scalar(select(func.max(CitizenRating.id))) or 0)
    if through is not None and through >= last_closed and top == seen:
        return through
    await hold_lock(session, LOCK_KEY)
    days, end, top = await _plan(session, last_closed)
    for first, last in _runs(days):
        await _roll(session, first, last)
    await _roll_months(session, (_month_of(day) for day in days), end)
    await _save_state(session, end, top)
    return end


async def refresh_days(session: AsyncSession, days: Iterable[date]) -> None:
    """These local days rolled again (a rating of theirs set aside, restored or erased); days the roll-up
    has not reached yet are left to catch_up."""
    through, _ = await _state(session)
    if through is None:
        return
    wanted = [day for day in days if day <= through]
    if not wanted:
        return
    await hold_lock(session, LOCK_KEY)
    for first, last in _runs(wanted):
        await _roll(session, first, last)
    await _roll_months(session, (_month_of(day) for day in wanted), through)


async def rebuild(session: AsyncSession) -> date | None:
    """Everything rolled again from the ratings; the same sums whenever it runs."""
    await hold_lock(session, LOCK_KEY)
    for table in (RatingMonth, RatingDay, RatingRollup):
        await session.execute(delete(table))
    return await catch_up(session)


def _month_of(day: date) -> date:
    return day.replace(day=1)


def _month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


async def _roll_months(session: AsyncSession, months: Iterable[date], through: date | None) -> None:
    """These months summed again from their days; only a month closed to its last day has rows."""
    for month in sorted(set(months)):
        await session.execute(delete(RatingMonth).where(RatingMonth.month == month))
        if through is None or _month_end(month) > through:
            continue
        day = RatingDay
        names = _COUNT_NAMES
        rows = (
            select(
                day.unit_id, literal(month, Date), day.point_id, *(func.sum(getattr(day, n)) for n in names)
            )
            .where(day.day >= month, day.day <= _month_end(month))
            .group_by(day.unit_id, day.point_id)
        )
        await session.execute(insert(RatingMonth).from_select(["unit_id", "month", "point_id", *names], rows))


# A piece of the rolled days: the table and its key column, the first and the last key read.
_Piece = tuple[type[RatingDay] | type[RatingMonth], Any, date, date]


def _pieces(first: date, last: date, *, months: bool) -> list[_Piece]:
    """The rolled days [first, last] as whole months (when `months`) and the days around them."""
    start = first if first.day == 1 else _month_of(_month_end(first) + timedelta(days=1))
    stop = last if _month_end(last) == last else _month_of(last) - timedelta(days=1)
    if not months or start > stop:
        return [(RatingDay, RatingDay.day, first, last)]
    pieces: list[_Piece] = [(RatingMonth, RatingMonth.month, start, _month_of(stop))]
    if first < start:
        pieces.append((RatingDay, RatingDay.day, first, start - timedelta(days=1)))
    if stop < last:
        pieces.append((RatingDay, RatingDay.day, stop + timedelta(days=1), last))
    return pieces


def _satisfied(table: Any, satisfied_from: int) -> Any:
    columns = [getattr(table, f"overall_{n}") for n in range(satisfied_from, 6)]
    total = columns[0]
    for column in columns[1:]:
        total = total + column
    return total


def _where(piece: _Piece, unit_ids: Sequence[int] | None) -> list[ColumnElement[bool]]:
    table, key, low, high = piece
    units = [] if unit_ids is None else [table.unit_id.in_(sorted(unit_ids))]
    return [key >= low, key <= high, *units]


async def unit_sums(
    session: AsyncSession, *, unit_ids: Sequence[int] | None, first: date, last: date, satisfied_from: int
) -> list[Sequence[Any]]:
    """(unit id, the report's columns) of the rolled days [first, last], a row per unit and piece (add
    them up); None: every unit. Read in key order (unit, day): grouped without a sort."""
    found: list[Sequence[Any]] = []
    for piece in _pieces(first, last, months=True):
        table = piece[0]
        sums = [
            func.sum(table.ratings),
            func.sum(_satisfied(table, satisfied_from)),
            *(func.sum(getattr(table, n)) for n in _COUNT_NAMES[1:]),
        ]
        query = select(table.unit_id, *sums).where(*_where(piece, unit_ids)).group_by(table.unit_id)
        found.extend((await session.execute(query)).all())
    return found


def _bucket(key: Any, edges: Sequence[date]) -> Any:
    """A day's (or month's first day's) bucket: the first whose edge (the day after it) is after it."""
    if len(edges) == 1:  # a CASE needs a WHEN: one that gives the only bucket too
        return case((key < edges[0], 0), else_=0)
    return case(*((key < edge, n) for n, edge in enumerate(edges[:-1])), else_=len(edges) - 1)


async def _bucket_rows(
    session: AsyncSession,
    *,
    unit_ids: Sequence[int] | None,
    first: date,
    last: date,
    edges: Sequence[date],
    by_month: bool,
    satisfied_from: int,
    per_unit: bool,
) -> list[tuple[int, ...]]:
    """([unit,] bucket, ratings, satisfied) of the rolled days [first, last]: one query per piece (whole
    months, then days), grouped by bucket, and by unit too when `per_unit`."""
    found: list[tuple[int, ...]] = []
    for piece in _pieces(first, last, months=by_month):
        table, key = piece[0], piece[1]
        bucket = _bucket(key, edges)
        groups = (table.unit_id, bucket) if per_unit else (bucket,)
        query = (
            select(*groups, func.sum(table.ratings), func.sum(_satisfied(table, satisfied_from)))
            .where(*_where(piece, unit_ids))
            .group_by(*groups)
        )
        found.extend(tuple(int(v or 0) for v in row) for row in (await session.execute(query)).all())
    return found


async def bucket_sums(
    session: AsyncSession,
    *,
    unit_ids: Sequence[int] | None,
    first: date,
    last: date,
    edges: Sequence[date],
    by_month: bool,
    satisfied_from: int,
) -> list[tuple[int, int, int]]:
    """(bucket, ratings, satisfied) of the rolled days [first, last] of these units together. Whole months
    are read from rating_months only when the buckets are months (a month never straddles one then)."""
    rows = await _bucket_rows(
        session, unit_ids=unit_ids, first=first, last=last, edges=edges, by_month=by_month,
        satisfied_from=satisfied_from, per_unit=False,
    )  # fmt: skip
    return [(n, r, s) for n, r, s in rows]


async def unit_bucket_sums(
    session: AsyncSession,
    *,
    unit_ids: Sequence[int] | None,
    first: date,
    last: date,
    edges: Sequence[date],
    by_month: bool,
    satisfied_from: int,
) -> list[tuple[int, int, int, int]]:
    """(unit, bucket, ratings, satisfied) of each unit's rolled days, for a trend of many subtrees."""
    rows = await _bucket_rows(
        session, unit_ids=unit_ids, first=first, last=last, edges=edges, by_month=by_month,
        satisfied_from=satisfied_from, per_unit=True,
    )  # fmt: skip
    return [(u, n, r, s) for u, n, r, s in rows]
