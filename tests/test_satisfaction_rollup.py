"""The daily and monthly roll-up of citizens' ratings (compliance.reports.satisfaction_days): the figures it
gives equal those summed from the ratings one by one, for random ratings, days, late (backdated) ratings
and spam set aside and restored; closed days and closed months only; a rebuild gives the same rows."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from compliance.feedback import spam
from compliance.office.officials import actor_of
from compliance.reports.period import Period
from compliance.reports.satisfaction import (
    ANSWERS,
    SATISFIED_FROM,
    SatisfactionFigures,
    buckets,
    own_figures,
    period_bounds,
    trend,
    unit_figures,
)
from compliance.reports.satisfaction_days import catch_up, rebuild
from storage.clock import ShiftedClock, use_clock
from storage.engine import Database
from storage.models import Official, Unit
from storage.models_feedback import CitizenRating, ReceptionPoint
from storage.models_feedback_rollup import RatingDay, RatingMonth, RatingRollup
from tests.web_admin_office import populate

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2027, 3, 10)  # a Wednesday; the ratings span January's and February's whole months
NOW = datetime.combine(TODAY, time(10), VN)
SPAN_DAYS = 70
UNITS = ("Sở GTVT", "Văn phòng", "Phòng Quản lý vận tải")


@dataclass(frozen=True)
class Office:
    unit_ids: dict[str, int]
    points: list[tuple[int, int]]  # (point id, its unit id)
    actor_id: int


async def office_of(database: Database) -> Office:
    """The test office with four reception points, made once per database."""
    async with database.unit_of_work() as session:
        made_before = await session.scalar(select(func.count()).select_from(ReceptionPoint))
    people = await populate(database) if not made_before else {}
    async with database.unit_of_work() as session:
        ids = {u.name: u.id for u in (await session.scalars(select(Unit))).all()}
        if not made_before:
            found = [ReceptionPoint(unit_id=ids[name], code=f"R{n}") for n, name in enumerate(UNITS)]
            found.append(ReceptionPoint(unit_id=ids["Văn phòng"], desk="Quầy 2", code="R9"))
            session.add_all(found)
            await session.flush()
        points = (await session.scalars(select(ReceptionPoint).order_by(ReceptionPoint.id))).all()
        head = await session.scalar(select(Official.id).where(Official.full_name == "Lê Thị Hoa"))
        assert head is not None and (not people or people["Lê Thị Hoa"] == head)
        return Office({name: ids[name] for name in UNITS}, [(p.id, p.unit_id) for p in points], head)


@pytest.fixture
async def office(database: Database) -> Office:
    return await office_of(database)


def local(day_back: int, minute: int) -> datetime:
    return (
        datetime.combine(TODAY - timedelta(days=day_back), time(0), VN) + timedelta(minutes=minute)
    ).astimezone(UTC)


Answer = tuple[int, int, int, int, int, int, bool | None, bool | None, bool]
answers = st.tuples(
    st.integers(0, 3),  # the point
    st.integers(0, SPAN_DAYS),  # days back from today
    st.integers(0, 24 * 60 - 1),  # minute of that local day
    st.integers(1, 5),  # overall
    st.integers(1, 5),  # attitude
    st.integers(1, 3),  # trips
    st.sampled_from(ANSWERS),  # papers posted
    st.sampled_from(ANSWERS),  # progress looked up
    st.booleans(),  # asked beyond the rules
)


def made(
    office: Office, answer: tuple[int, int, int, int, int, int, bool | None, bool | None, bool]
) -> CitizenRating:
    point, back, minute, overall, attitude, trips, papers, lookup, asked = answer
    point_id, unit_id = office.points[point]
    return CitizenRating(
        point_id=point_id,
        unit_id=unit_id,
        created_at=local(back, minute),
        overall=overall,
        attitude=attitude,
        trips=trips,
        papers_posted=papers,
        progress_lookup=lookup,
        asked_beyond_rules=asked,
        address_hash="0" * 64,
        flagged=overall <= 2 or attitude <= 2 or asked,
    )


def expected(
    ratings: list[CitizenRating], units: set[int], start: datetime, end: datetime
) -> SatisfactionFigures:
    """The figures summed from the ratings one by one, as the forms say."""
    f = SatisfactionFigures()
    for r in ratings:
        if r.unit_id not in units or r.set_aside_at is not None or not start <= r.created_at < end:
            continue
        f.ratings += 1
        f.satisfied += r.overall >= SATISFIED_FROM
        f.flags += r.flagged
        f.asked_beyond_rules += r.asked_beyond_rules
        f.overall[r.overall - 1] += 1
        f.attitude[r.attitude - 1] += 1
        f.trips[r.trips - 1] += 1
        f.papers_posted[ANSWERS.index(r.papers_posted)] += 1
        f.progress_lookup[ANSWERS.index(r.progress_lookup)] += 1
    return f


async def clear(database: Database) -> None:
    async with database.unit_of_work() as session:
        for table in (RatingMonth, RatingDay, RatingRollup, CitizenRating):
            await session.execute(delete(table))


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    early=st.lists(answers, max_size=40),
    late=st.lists(answers, max_size=10),
    aside=st.lists(st.integers(0, 49), max_size=6),
    restored=st.lists(st.integers(0, 49), max_size=3),
    period=st.tuples(st.integers(0, SPAN_DAYS), st.integers(0, SPAN_DAYS)),
)
def test_the_roll_up_gives_the_figures_of_the_ratings_themselves(
    database_url: str,
    early: list[Answer],
    late: list[Answer],
    aside: list[int],
    restored: list[int],
    period: tuple[int, int],
) -> None:
    """Each example in its own event loop and engine (an engine's connections belong to their loop)."""

    async def example() -> None:
        database = Database(database_url)
        try:
            await check(database, await office_of(database), early, late, aside, restored, period)
        finally:
            await database.dispose()

    asyncio.run(example())


async def check(
    database: Database,
    office: Office,
    early: list[Answer],
    late: list[Answer],
    aside: list[int],
    restored: list[int],
    period: tuple[int, int],
) -> None:
    await clear(database)
    with use_clock(ShiftedClock(NOW)):
        async with database.unit_of_work() as session:
            session.add_all([made(office, a) for a in early])
        async with database.unit_of_work() as session:
            await catch_up(session)  # the closed days rolled, as a first read does
        async with database.unit_of_work() as session:
            session.add_all([made(office, a) for a in late])  # written later into closed days
        async with database.unit_of_work() as session:
            official = await session.scalar(
                select(Official).options(selectinload(Official.unit)).where(Official.id == office.actor_id)
            )
            assert official is not None
            actor = actor_of(official)
            ratings = list((await session.scalars(select(CitizenRating).order_by(CitizenRating.id))).all())
            if ratings:
                chosen = [ratings[n % len(ratings)] for n in aside]
                await spam.set_aside(session, ratings=chosen, reason="Thư rác", actor=actor, now=NOW)
                for n in restored:
                    await spam.restore(session, rating=ratings[n % len(ratings)], actor=actor)
        low, high = sorted(period)
        spans = [
            Period(TODAY - timedelta(days=SPAN_DAYS), TODAY),
            Period(TODAY - timedelta(days=high), TODAY - timedelta(days=low)),
        ]
        ids = list(office.unit_ids.values())
        async with database.unit_of_work() as session:
            ratings = list((await session.scalars(select(CitizenRating))).all())
            for span in spans:
                start, end = period_bounds(span)
                found = await unit_figures(session, unit_ids=ids, start=start, end=end)
                mine = await own_figures(session, unit_ids=ids, start=start, end=end)
                months = await trend(session, unit_ids=ids[:2], period=span, by="month")
                weeks = await trend(session, unit_ids=[ids[0]], period=span, by="week")
                subtrees = await subtree_ids(session, ids)
                for unit_id in ids:
                    assert found[unit_id] == expected(ratings, subtrees[unit_id], start, end)
                    assert mine[unit_id] == expected(ratings, {unit_id}, start, end)
                lines = [("month", u, line) for u, line in months.items()]
                lines += [("week", u, line) for u, line in weeks.items()]
                for step, unit_id, line in lines:
                    for bucket, point in zip(buckets(span, step), line, strict=True):
                        a, b = period_bounds(bucket)
                        whole = expected(ratings, subtrees[unit_id], a, b)
                        assert (point.ratings, point.satisfied) == (whole.ratings, whole.satisfied)


async def subtree_ids(session: AsyncSession, ids: list[int]) -> dict[int, set[int]]:
    units = (await session.scalars(select(Unit))).all()
    paths = {u.id: u.path for u in units}
    return {i: {u for u, path in paths.items() if path.startswith(paths[i])} for i in ids}


Row = tuple[object, ...]


async def rows_of(database: Database) -> tuple[list[Row], list[Row]]:
    """The roll-up's rows: (unit, day or month, point, ratings, every count)."""
    names = ["ratings", "flags", "asked", *(f"overall_{n}" for n in range(1, 6)), "trips_3", "lookup_none"]
    async with database.unit_of_work() as session:
        days = await session.execute(
            select(
                RatingDay.unit_id, RatingDay.day, RatingDay.point_id, *(getattr(RatingDay, n) for n in names)
            ).order_by(RatingDay.unit_id, RatingDay.day, RatingDay.point_id)
        )
        months = await session.execute(
            select(
                RatingMonth.unit_id,
                RatingMonth.month,
                RatingMonth.point_id,
                *(getattr(RatingMonth, n) for n in names),
            ).order_by(RatingMonth.unit_id, RatingMonth.month, RatingMonth.point_id)
        )
        return [tuple(r) for r in days.all()], [tuple(r) for r in months.all()]


async def test_closed_days_and_months_only_spam_refreshes_and_a_rebuild_is_the_same(
    database: Database, office: Office
) -> None:
    point = office.points[1]
    with use_clock(ShiftedClock(NOW)):
        async with database.unit_of_work() as session:
            rows = [
                made(office, (1, back, 600, 5, 4, 1, True, None, False))
                for back in (0, 0, 1, 9, 40, 41, 69)  # today twice, yesterday, 1 March, January and December
            ]
            session.add_all(rows)
        async with database.unit_of_work() as session:
            through = await catch_up(session)
        assert through == TODAY - timedelta(days=1)
        days, months = await rows_of(database)
        assert TODAY not in {row[1] for row in days}  # today stays with the ratings
        by_day = {row[1]: int(str(row[3])) for row in days}
        assert by_day[TODAY - timedelta(days=1)] == 1 and sum(by_day.values()) == 5
        assert {row[1] for row in months} == {date(2027, 1, 1), date(2026, 12, 1)}  # March is still open
        assert sum(int(str(row[3])) for row in months) == 3  # 40, 41 days back (January), 69 (December)

        async with database.unit_of_work() as session:
            official = await session.scalar(
                select(Official).options(selectinload(Official.unit)).where(Official.id == office.actor_id)
            )
            assert official is not None
            january = await session.get(CitizenRating, rows[4].id)
            assert january is not None
            await spam.set_aside(
                session, ratings=[january], reason="Thư rác", actor=actor_of(official), now=NOW
            )
        _, months = await rows_of(database)
        assert [row[3] for row in months if row[1] == date(2027, 1, 1)] == [1]

        async with database.unit_of_work() as session:
            session.add(made(office, (1, 40, 700, 2, 2, 3, None, None, True)))  # a late January rating
        year = Period(TODAY - timedelta(days=SPAN_DAYS), TODAY)
        start, end = period_bounds(year)
        async with database.unit_of_work() as session:
            f = (await unit_figures(session, unit_ids=[point[1]], start=start, end=end))[point[1]]
        assert (f.ratings, f.flags, f.asked_beyond_rules) == (7, 1, 1)

        before = await rows_of(database)
        async with database.unit_of_work() as session:
            assert await rebuild(session) == TODAY - timedelta(days=1)
        assert await rows_of(database) == before
        async with database.unit_of_work() as session:
            state = await session.get(RatingRollup, 1)
            top = await session.scalar(select(func.max(CitizenRating.id)))
            assert state is not None and state.seen_id == top
