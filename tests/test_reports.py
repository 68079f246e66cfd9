"""A small office with known activity: every figure of the report, exactly, on both engines."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from compliance.feedback.stars import StarPeriod
from compliance.office.officials import actor_of
from compliance.office.staff_import import import_staff
from compliance.office.units import get_unit_by_code
from compliance.pledge import signing as pledges
from compliance.reports import rollup as reports
from compliance.reports.period import Period, PeriodKind, period_of
from storage.clock import ShiftedClock, use_clock
from storage.engine import Database
from storage.models import Official, OfficialStatus
from storage.models_practice import DailyReminder, QuizAttempt, SelfCheck, SelfCheckAnswer
from tests.factories import link_telegram
from tests.pledge_files import template
from tests.review_stars import (
    assert_rows,
    break_the_rubric,
    give_points,
    ranked,
    satisfaction_title,
    sheet_rows,
    stars_title,
)
from tests.staff_files import OFFICE, xlsx_bytes

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WEEK = date(2026, 11, 16)
EARLIER = WEEK - timedelta(days=7)
PERIOD = Period(WEEK, WEEK + timedelta(days=6))
SCORE = {"yes": 2, "partly": 1, "no": 0}


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), VN)


@pytest.fixture
async def office(database: Database) -> Database:
    """The list imported a week before EARLIER; four joined, Bình (the Sở's head) has not; Lan and Hoa
    signed on WEEK's Tuesday, so EARLIER's week had no signature yet."""
    clock = ShiftedClock(at(EARLIER - timedelta(days=7)))
    with use_clock(clock):
        await _populate(database, clock)
    return database


async def _populate(database: Database, clock: ShiftedClock) -> None:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        published = await pledges.publish(
            session, template=template(), unit=None, material=False, publisher_id=None, now=at(EARLIER)
        )
        assert published.version is not None
        version_id = published.version.id
        people = {p.full_name: p for p in (await session.scalars(select(Official))).all()}
        for n, name in enumerate(["Lê Thị Hoa", "Phạm Minh Châu", "Nguyễn Thị Lan", "Đỗ Quang Huy"]):
            people[name].status = OfficialStatus.ACTIVE
            await link_telegram(session, people[name], 300 + n)
            people[name].joined_at = at(EARLIER - timedelta(days=7), 13)
        await session.flush()
        clock.move_to(at(WEEK + timedelta(days=1)))
        for name in ("Nguyễn Thị Lan", "Lê Thị Hoa"):
            await pledges.sign(
                session,
                actor=actor_of(people[name]),
                version_id=version_id,
                typed_name=name,
                locale="vi",
                chat_id=1,
                message_id=1,
            )
        deadline = at(WEEK + timedelta(days=4), 17)
        checks = {
            "Nguyễn Thị Lan": ("done", ["yes", "yes", "no"]),
            "Lê Thị Hoa": ("done", ["yes", "yes", "yes"]),
            "Phạm Minh Châu": ("late", ["partly", "partly", "partly"]),
            "Đỗ Quang Huy": ("missed", []),
        }
        items = ["biet-1", "biet-2", "khong-1"]
        for name, (status, answers) in checks.items():
            check = SelfCheck(
                official_id=people[name].id,
                week=WEEK,
                pledge_version_id=version_id,
                answers=dict(zip(items, answers, strict=False)),
                status=status,
                deadline_at=deadline,
            )
            session.add(check)
            await session.flush()
            for item, answer in zip(items, answers, strict=False):
                session.add(SelfCheckAnswer(self_check_id=check.id, item_id=item, score=SCORE[answer]))
        session.add(
            SelfCheck(
                official_id=people["Đỗ Quang Huy"].id,
                week=EARLIER,
                pledge_version_id=version_id,
                answers={},
                status="missed",
                deadline_at=deadline - timedelta(days=7),
            )
        )
        reminders = {"Nguyễn Thị Lan": (3, 2), "Đỗ Quang Huy": (3, 0), "Phạm Minh Châu": (2, 2)}
        for name, (sent, read) in reminders.items():
            for n in range(sent):
                session.add(
                    DailyReminder(
                        official_id=people[name].id,
                        day=WEEK + timedelta(days=n),
                        kind="item",
                        pledge_version_id=version_id,
                        item_id="biet-1",
                        read_at=at(WEEK + timedelta(days=n), 8) if n < read else None,
                    )
                )
        for name, score, finished in (
            ("Nguyễn Thị Lan", 4, True),
            ("Lê Thị Hoa", 5, True),
            ("Đỗ Quang Huy", 1, False),
        ):
            session.add(
                QuizAttempt(
                    official_id=people[name].id,
                    week=WEEK,
                    practice=False,
                    bank="cong-vu-1",
                    question_ids={"ids": []},
                    score=score,
                    answered=5 if finished else 2,
                    finished_at=at(WEEK + timedelta(days=2)) if finished else None,
                )
            )
        session.add(
            QuizAttempt(
                official_id=people["Phạm Minh Châu"].id,
                week=None,
                practice=True,
                bank="cong-vu-1",
                question_ids={"ids": []},
                score=5,
                answered=5,
                finished_at=at(WEEK + timedelta(days=2)),
            )
        )  # practice: not counted


async def test_the_whole_office(office: Database) -> None:
    async with office.unit_of_work() as session:
        report = await reports.build_report(session, root=None, period=PERIOD)
    total = report.total
    # five on the list (Bình, the Sở's head, never joined), four joined, two signed
    assert (total.on_list, total.joined, total.signed, total.signed_rate) == (5, 4, 2, 0.4)
    assert (total.checks_on_time, total.checks_late, total.checks_missed) == (2, 1, 1)
    assert (total.checks_done, total.check_slots, total.done_rate) == (3, 5, 0.6)
    assert total.on_time_rate == 0.5
    averages = total.item_averages()
    assert averages == pytest.approx({"biet-1": 5 / 6, "biet-2": 5 / 6, "khong-1": 0.5})
    assert min(averages, key=averages.__getitem__) == "khong-1"  # where the office sees itself weakest
    assert (total.quiz_takers, total.quiz_slots, total.quiz_rate) == (2, 5, 0.4)
    assert total.quiz_average == pytest.approx(0.9)
    assert (total.reminders_sent, total.reminders_read, total.read_rate) == (8, 4, 0.5)
    previous = report.previous_total
    assert (previous.checks_missed, previous.checks_on_time, previous.reminders_sent) == (1, 0, 0)
    # the week before, the same five were on the list and nobody had signed yet: the trend can move
    assert (previous.on_list, previous.joined, previous.signed, previous.signed_rate) == (5, 4, 0, 0.0)
    lapses = {(lapse.kind, lapse.full_name) for lapse in report.lapses}
    assert lapses == {
        ("not_joined", "Trần Văn Bình"),
        ("not_signed", "Phạm Minh Châu"),
        ("not_signed", "Đỗ Quang Huy"),
        ("missed_twice", "Đỗ Quang Huy"),
        ("never_read", "Đỗ Quang Huy"),
    }
    by_name = {line.name: line for line in report.units}
    assert (by_name["Văn phòng"].own.on_list, by_name["Văn phòng"].own.signed) == (2, 1)
    qlvt = by_name["Phòng Quản lý vận tải"].own
    assert (qlvt.on_list, qlvt.joined, qlvt.signed) == (2, 2, 1)
    assert (by_name["Sở GTVT"].own.on_list, by_name["Sở GTVT"].own.joined) == (1, 0)
    assert (by_name["Sở GTVT"].subtree.on_list, by_name["Sở GTVT"].subtree.signed) == (5, 2)
    assert [person.full_name for person in report.people][:1] == ["Trần Văn Bình"]  # the Sở first


async def test_a_head_sees_only_their_subtree(office: Database) -> None:
    async with office.unit_of_work() as session:
        unit = await get_unit_by_code(session, "van-phong")
        assert unit is not None
        report = await reports.build_report(session, root=unit, period=PERIOD)
    assert [line.name for line in report.units] == ["Văn phòng"]
    assert {lapse.full_name for lapse in report.lapses} == {"Phạm Minh Châu"}  # nothing of the sibling unit
    assert (report.total.on_list, report.total.checks_late, report.total.checks_on_time) == (2, 1, 1)
    assert {person.full_name for person in report.people} == {"Lê Thị Hoa", "Phạm Minh Châu"}


def test_periods() -> None:
    today = date(2026, 11, 25)
    assert period_of(PeriodKind.THIS_WEEK, today) == Period(date(2026, 11, 23), date(2026, 11, 29))
    assert period_of(PeriodKind.LAST_WEEK, today) == Period(date(2026, 11, 16), date(2026, 11, 22))
    assert period_of(PeriodKind.MONTH, today) == Period(date(2026, 11, 1), date(2026, 11, 30))
    assert period_of(PeriodKind.QUARTER, today) == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert period_of(PeriodKind.QUARTER, date(2027, 2, 1)) == Period(date(2027, 1, 1), date(2027, 3, 31))
    assert PERIOD.previous() == Period(EARLIER, EARLIER + timedelta(days=6))


def test_the_period_before_is_the_calendar_one() -> None:
    """Whole months step back by months, so a trend compares March with February and a quarter with the
    one before, not with as many days; any other period by its days."""
    q1 = Period(date(2027, 1, 1), date(2027, 3, 31))
    assert q1.previous() == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert Period(date(2027, 4, 1), date(2027, 6, 30)).previous() == q1
    assert Period(date(2027, 3, 1), date(2027, 3, 31)).previous() == Period(
        date(2027, 2, 1), date(2027, 2, 28)
    )
    assert Period(date(2028, 1, 1), date(2028, 12, 31)).previous() == Period(
        date(2027, 1, 1), date(2027, 12, 31)
    )
    assert Period(date(2027, 1, 1), date(2027, 1, 31)).previous() == Period(
        date(2026, 12, 1), date(2026, 12, 31)
    )
    # a week, or days that are not whole months, step back by their length
    assert PERIOD.previous() == Period(EARLIER, EARLIER + timedelta(days=6))
    assert Period(date(2027, 3, 1), date(2027, 3, 30)).previous() == Period(
        date(2027, 1, 30), date(2027, 2, 28)
    )


def test_review_periods() -> None:
    from compliance.reports.review import parse_review_period

    assert parse_review_period("2027Q1") == Period(date(2027, 1, 1), date(2027, 3, 31))
    assert parse_review_period("2026q4") == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert parse_review_period("2027") == Period(date(2027, 1, 1), date(2027, 12, 31))
    assert parse_review_period("2027Q5") is None and parse_review_period("năm nay") is None


async def test_the_review_export_one_row_per_official(
    office: Database, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    from pathlib import Path

    from openpyxl import load_workbook

    from bot.cli import main
    from tests.test_satisfaction_reports import rate_the_week  # it builds on this module's office

    assert isinstance(tmp_path, Path)
    monkeypatch.setenv("DATABASE_URL", office.url)
    target = tmp_path / "thi-dua-2026Q4.xlsx"
    await give_points(office, "van-phong", StarPeriod(2026, 4))
    units = await rate_the_week(office)  # four ratings in WEEK, one the week before: all in 2026Q4
    # the CLI runs its own event loop, so it runs in a thread here, as it would in its own process
    assert await asyncio.to_thread(main, ["export", "--period", "2026Q4", str(target)]) == 0
    assert await asyncio.to_thread(main, ["export", "--period", "quý 4", str(target)]) == 2
    workbook = load_workbook(io.BytesIO(target.read_bytes()))
    # the units in Vietnamese order, then their citizens' ratings and stars of the same quarter (the CLI
    # speaks Vietnamese)
    assert workbook.sheetnames == [
        "Sở GTVT", "Phòng Quản lý vận tải", "Văn phòng", satisfaction_title(), stars_title()
    ]  # fmt: skip
    rated = {row[1]: row for row in workbook[satisfaction_title()].iter_rows(min_row=2, values_only=True)}
    # the report's satisfaction sheet's columns: ratings, satisfied, index, the period before's (Q3: none)
    assert rated["van-phong"][2:6] == (4, 3, 0.75, None) and rated["phong-quan-ly-van-tai"][2:5] == (1, 0, 0)
    assert rated["so-gtvt"][2] == 5 and len(units) == 3  # the Sở's subtree holds both
    stars = sheet_rows(workbook, stars_title())
    assert_rows(stars, await ranked(office, StarPeriod(2026, 4)))
    assert stars["van-phong"][-3] != stars["phong-quan-ly-van-tai"][-3]  # the entered points count
    sheet = workbook["Phòng Quản lý vận tải"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    lan, huy = rows["Nguyễn Thị Lan"], rows["Đỗ Quang Huy"]
    assert lan[3] is not None and (lan[4], lan[5], lan[6], lan[7]) == (1, 0, 0, 1)
    assert lan[8] == pytest.approx(0.8) and lan[9] == pytest.approx(2 / 3)
    assert lan[10] == 92.0  # 40 signed + 30 on time + 15 × 2/3 read + 15 × 0.8 quiz
    assert huy[3] is None and (huy[6], huy[10]) == (2, 0.0)


async def test_the_review_exports_stars_for_a_unit_and_a_year_and_goes_on_without_a_rubric(
    office: Database, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    from pathlib import Path

    from openpyxl import load_workbook

    from bot.cli import main

    assert isinstance(tmp_path, Path)
    monkeypatch.setenv("DATABASE_URL", office.url)
    await give_points(office, "van-phong", StarPeriod(2026, 4))
    await give_points(office, "van-phong", StarPeriod(2026, 1), reform=10.0)  # the year's, not Q4's
    unit, year = tmp_path / "van-phong.xlsx", tmp_path / "2026.xlsx"
    assert (
        await asyncio.to_thread(main, ["export", "--period", "2026Q4", "--unit", "van-phong", str(unit)]) == 0
    )
    assert await asyncio.to_thread(main, ["export", "--period", "2026", str(year)]) == 0
    # a unit's export: its subtree's stars only, ranked among the whole office's peers
    workbook = load_workbook(io.BytesIO(unit.read_bytes()))
    assert workbook.sheetnames == ["Văn phòng", satisfaction_title(), stars_title()]
    assert_rows(sheet_rows(workbook, stars_title()), await ranked(office, StarPeriod(2026, 4), "van-phong"))
    # a year's: the whole year's stars, as the ranking page ranks the year
    workbook = load_workbook(io.BytesIO(year.read_bytes()))
    whole_year = await ranked(office, StarPeriod(2026))
    assert_rows(sheet_rows(workbook, stars_title()), whole_year)
    [office_q4] = [u for u in await ranked(office, StarPeriod(2026, 4)) if u.code == "van-phong"]
    assert next(u.total for u in whole_year if u.code == "van-phong") != office_q4.total
    await break_the_rubric(office)
    assert await asyncio.to_thread(main, ["export", "--period", "2026Q4", str(year)]) == 0
    workbook = load_workbook(io.BytesIO(year.read_bytes()))
    # the people and the ratings, no stars
    assert workbook.sheetnames == ["Sở GTVT", "Phòng Quản lý vận tải", "Văn phòng", satisfaction_title()]
