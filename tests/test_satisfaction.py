"""Satisfaction figures per unit and period: each unit's own ratings rolled up into its ancestors' subtrees,
the SIPAS index, each question's distribution, flags followed and resolved by the latest follow-up, ratings
set aside never counted, the period's edges in local time, the trend by week and month."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.reports.period import Period
from compliance.reports.satisfaction import buckets, own_figures, period_bounds, trend, unit_figures
from storage.clock import local_today
from storage.engine import Database
from storage.models import Official, Unit
from storage.models_feedback import CitizenRating, RatingFollowUp, ReceptionPoint
from tests.web_admin_office import populate

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), VN).astimezone(UTC)


async def units(session: AsyncSession) -> dict[str, int]:
    return {u.name: u.id for u in (await session.scalars(select(Unit))).all()}


def rating(point: ReceptionPoint, at: datetime, overall: int, **answers: object) -> CitizenRating:
    values: dict[str, object] = {"attitude": 4, "trips": 1, "asked_beyond_rules": False, **answers}
    flagged = overall <= 2 or int(str(values["attitude"])) <= 2 or bool(values["asked_beyond_rules"])
    return CitizenRating(
        point_id=point.id,
        unit_id=point.unit_id,
        created_at=at,
        overall=overall,
        address_hash="0" * 64,
        flagged=flagged,
        **values,
    )


async def test_figures_roll_up_the_tree_and_count_what_a_report_should(database: Database) -> None:
    people = await populate(database)
    month = Period(local_today().replace(day=1), local_today().replace(day=1) + timedelta(days=27))
    first, last = month.start, month.end
    async with database.unit_of_work() as session:
        ids = await units(session)
        department, office, transport = ids["Sở GTVT"], ids["Văn phòng"], ids["Phòng Quản lý vận tải"]
        points = {}
        for unit_id in (department, office, transport):
            points[unit_id] = ReceptionPoint(unit_id=unit_id, code=f"P{unit_id}")
            session.add(points[unit_id])
        await session.flush()
        head = await session.get(Official, people["Lê Thị Hoa"])
        assert head is not None
        rows = [
            # Văn phòng: 5, 4, 3 and a flagged 1 (followed, then resolved), a flagged "asked" (followed only)
            rating(points[office], local(first, 0), 5, trips=1, papers_posted=True),  # the first local minute
            rating(points[office], local(first, 10), 4, trips=2, papers_posted=False, progress_lookup=True),
            rating(points[office], local(first, 11), 3, trips=3),
            rating(points[office], local(last, 23), 1, attitude=1, comment="x"),
            rating(points[office], local(last, 9), 5, asked_beyond_rules=True),
            # Phòng QLVT: one satisfied; one set aside as spam
            rating(points[transport], local(first, 9), 4),
            rating(points[transport], local(first, 9), 1, set_aside_at=local(first, 12)),
            # the Sở's own desk: one just before the month and one just after: neither counts
            rating(points[department], local(first, 0) - timedelta(minutes=1), 5),
            rating(points[department], local(last + timedelta(days=1), 0), 5),
        ]
        session.add_all(rows)
        await session.flush()
        bad, asked = rows[3], rows[4]
        session.add_all(
            [
                RatingFollowUp(rating_id=bad.id, contacted=True, resolved=False, by_id=head.id),
                RatingFollowUp(rating_id=bad.id, contacted=True, resolved=True, note="ok", by_id=head.id),
                RatingFollowUp(rating_id=asked.id, contacted=True, resolved=False, by_id=head.id),
            ]
        )
    start, end = period_bounds(month)
    async with database.unit_of_work() as session:
        figures = await unit_figures(session, unit_ids=[department, office, transport], start=start, end=end)
        own = await own_figures(session, unit_ids=[department, office], start=start, end=end)
        nothing = await unit_figures(session, unit_ids=[], start=start, end=end)
    vp = figures[office]
    assert (vp.ratings, vp.satisfied, vp.flags, vp.flags_followed, vp.flags_resolved) == (5, 3, 2, 2, 1)
    assert vp.index == 3 / 5 and vp.flags_open == 1 and vp.asked_beyond_rules == 1
    assert vp.overall == [1, 0, 1, 1, 2] and vp.attitude == [1, 0, 0, 4, 0]
    assert vp.trips == [3, 1, 1] and vp.first_trip_rate == 3 / 5
    assert vp.papers_posted == [1, 1, 3] and vp.progress_lookup == [1, 0, 4]
    assert (figures[transport].ratings, figures[transport].index) == (1, 1.0)  # the spam not counted
    whole = figures[department]
    assert (whole.ratings, whole.satisfied, whole.flags, whole.flags_resolved) == (6, 4, 2, 1)
    assert own[department].ratings == 0 and own[department].index is None and own[office].ratings == 5
    assert nothing == {}


async def test_the_trend_by_month_and_by_week(database: Database) -> None:
    await populate(database)
    today = local_today()
    year = Period(date(today.year, 1, 1), date(today.year, 12, 31))
    async with database.unit_of_work() as session:
        ids = await units(session)
        point = ReceptionPoint(unit_id=ids["Văn phòng"], code="TREND")
        session.add(point)
        await session.flush()
        session.add_all(
            [
                rating(point, local(date(today.year, 1, 31), 23), 5),
                rating(point, local(date(today.year, 2, 1), 0), 1),
                rating(point, local(date(today.year, 2, 2), 8), 4),
            ]
        )
    async with database.unit_of_work() as session:
        months = await trend(session, unit_ids=[ids["Sở GTVT"]], period=year, by="month")
        weeks = await trend(session, unit_ids=[ids["Sở GTVT"]], period=year, by="week")
    line = months[ids["Sở GTVT"]]
    assert [p.start.month for p in line] == list(range(1, 13))
    assert [(p.ratings, p.satisfied) for p in line[:3]] == [(1, 1), (2, 1), (0, 0)]
    assert line[1].index == 0.5 and line[2].index is None
    assert sum(p.ratings for p in weeks[ids["Sở GTVT"]]) == 3
    assert len(weeks[ids["Sở GTVT"]]) == len(buckets(year, "week"))


def test_buckets_cut_to_the_period() -> None:
    period = Period(date(2027, 1, 27), date(2027, 3, 2))  # a Wednesday to a Tuesday
    assert buckets(period, "month") == [
        Period(date(2027, 1, 27), date(2027, 1, 31)),
        Period(date(2027, 2, 1), date(2027, 2, 28)),
        Period(date(2027, 3, 1), date(2027, 3, 2)),
    ]
    weeks = buckets(period, "week")
    assert weeks[0] == Period(date(2027, 1, 27), date(2027, 1, 31))
    assert weeks[1] == Period(date(2027, 2, 1), date(2027, 2, 7))
    assert weeks[-1] == Period(date(2027, 3, 1), date(2027, 3, 2))
