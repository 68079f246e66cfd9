"""Citizens' satisfaction in the reports of the small office (tests.test_reports' week): the chat's /report
text (a line for the subtree, a short line per unit, no comment), the Excel's satisfaction sheet, the
Monday summary to heads and the group's weekly post (units' figures only: no comment, no open flags)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from compliance.office.groups import link, set_weekly_summary
from compliance.office.officials import actor_of
from compliance.reports import rollup as reports
from compliance.reports.files import excel_report
from compliance.reports.period import Period, PeriodKind
from compliance.reports.satisfaction_report import report_satisfaction
from compliance.reports.weekly import plan_weekly_summaries
from handlers.i18n import use_locale
from handlers.views.report import report_text
from handlers.views.report_files import labels
from handlers.views.weekly import group_weekly, weekly_report
from storage.engine import Database
from storage.models import Official, OutboxMessage, Unit
from storage.models_feedback import CitizenRating, RatingFollowUp, ReceptionPoint
from tests.test_reports import PERIOD, WEEK, at

COMMENT = "Cán bộ <b>hỏi tiền</b> ngoài quy định"


async def rate_the_week(database: Database) -> dict[str, int]:
    """Văn phòng: a 5, a 4 and a flagged 1 with a comment (followed up, not resolved); Phòng QLVT: a 2
    (flagged); and a 5 of the week before, which no figure of the week counts."""
    async with database.unit_of_work() as session:
        units = {u.code: u.id for u in (await session.scalars(select(Unit))).all()}
        hoa = await session.scalar(select(Official).where(Official.full_name == "Lê Thị Hoa"))
        assert hoa is not None
        office = ReceptionPoint(unit_id=units["van-phong"], code="VP")
        transport = ReceptionPoint(unit_id=units["phong-quan-ly-van-tai"], code="QLVT")
        session.add_all([office, transport])
        await session.flush()

        def rating(point: ReceptionPoint, overall: int, day: int, **more: object) -> CitizenRating:
            return CitizenRating(
                point_id=point.id, unit_id=point.unit_id, overall=overall, attitude=max(overall, 3),
                trips=1, address_hash="c" * 64, created_at=at(WEEK + timedelta(days=day), 10),
                flagged=overall <= 2, **more,
            )  # fmt: skip

        bad = rating(office, 1, 1, comment=COMMENT, asked_beyond_rules=True)
        session.add_all(
            [rating(office, 5, 0), rating(office, 4, 2), bad, rating(transport, 2, 3), rating(office, 5, -1)]
        )
        await session.flush()
        session.add(RatingFollowUp(rating_id=bad.id, contacted=True, note="Đã gọi", by_id=hoa.id))
        return units


async def test_the_chat_report_and_the_excel(office: Database) -> None:
    units = await rate_the_week(office)
    async with office.unit_of_work() as session:
        report = await reports.build_report(session, root=None, period=PERIOD)
        satisfaction = await report_satisfaction(session, report)
    assert satisfaction.total.ratings == 4 and satisfaction.of(units["van-phong"]).ratings == 3
    with use_locale("en"):
        text = report_text(report, PeriodKind.LAST_WEEK, {}, satisfaction)
        sheet_labels = labels(PERIOD)
    # The week before had one rating, Văn phòng's 5: the trend compares the index with it (100%).
    assert satisfaction.previous_total.ratings == 1 and satisfaction.before(units["van-phong"]).ratings == 1
    assert (
        "Citizens' ratings: 4, satisfaction index 50% ▼ (period before: 100%); flagged 2, not resolved 2"
        in text
    )
    assert (
        "Officials' attitude: 50% satisfied; settled in one trip: 4, two: 0, three or more: 0; "
        "asked beyond the rules: 1" in text
    )
    # Phòng Quản lý vận tải had no rating the week before: no arrow, rather than a made-up change.
    assert "• Văn phòng: 3 · 67% ▼ · 1" in text and "• Phòng Quản lý vận tải: 1 · 0% · 1" in text
    assert "hỏi tiền" not in text  # comments stay on the dashboard
    workbook = load_workbook(io.BytesIO(excel_report(report, sheet_labels, satisfaction)))
    assert workbook.sheetnames[-1] == "Satisfaction"
    rows = list(workbook["Satisfaction"].iter_rows(values_only=True))
    assert rows[0][:6] == (
        "Unit", "Code", "Ratings", "Satisfied or very satisfied", "Satisfaction index %",
        "Index, period before %",
    )  # fmt: skip
    by_code = {row[1]: row for row in rows[1:]}
    office_row = by_code["van-phong"]
    assert office_row[2:6] == (3, 2, 2 / 3, 1)
    assert office_row[6:11] == (1, 1, 0, 0, 1)  # very satisfied … very dissatisfied
    assert by_code["phong-quan-ly-van-tai"][5] is None  # nothing the week before: an empty cell
    assert office_row[-4:] == (1, 1, 1, 0)  # asked beyond the rules, flagged, followed up, resolved
    assert rows[-1][0] == "Total" and rows[-1][2] == 4
    assert all(COMMENT not in str(cell) for row in rows for cell in row)
    # Without the figures (older callers), the workbook is as it was.
    assert "Satisfaction" not in load_workbook(io.BytesIO(excel_report(report, sheet_labels))).sheetnames


async def test_the_monday_summaries(office: Database) -> None:
    units = await rate_the_week(office)
    async with office.unit_of_work() as session:
        hoa = await session.scalar(select(Official).where(Official.full_name == "Lê Thị Hoa"))
        assert hoa is not None and hoa.unit is not None
        head = actor_of(hoa)  # Văn phòng's head links her unit's group and turns its weekly post on
        office_unit = await session.get(Unit, units["van-phong"])
        assert office_unit is not None
        await link(session, actor=head, chat_id=-31, title="VP", unit=office_unit)
        await set_weekly_summary(session, actor=head, chat_id=-31, on=True)
    async with office.unit_of_work() as session:
        await plan_weekly_summaries(session, week=WEEK + timedelta(days=7))
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    hoas = next(r for r in rows if r.kind == "weekly_report" and r.official_id == hoa.id)
    assert (hoas.payload["ratings"], hoas.payload["flags_open"]) == (3, 1)
    assert abs(hoas.payload["satisfaction_index"] - 2 / 3) < 1e-9
    group = next(r for r in rows if r.kind == "group_weekly")
    assert group.payload["ratings"] == 3 and "flags_open" not in group.payload
    with use_locale("en"):
        head_text = weekly_report(hoas.payload).text
        group_text = group_weekly(group.payload).text
    assert hoas.payload["previous_index"] == 1 and group.payload["previous_index"] == 1
    trend = "67% ▼ (week before: 100%)"
    assert f"Citizens' ratings: 3, satisfaction index {trend}; flagged, not resolved: 1" in head_text
    assert f"Citizens' ratings: 3, satisfaction index {trend}" in group_text
    assert "not resolved" not in group_text and "hỏi tiền" not in group_text + head_text
    # A summary planned before the trend was kept (no previous_index in its row) still reads, with no arrow.
    old = {key: value for key, value in hoas.payload.items() if key != "previous_index"}
    with use_locale("en"):
        old_text = weekly_report(old).text
    assert "Citizens' ratings: 3, satisfaction index 67%; flagged, not resolved: 1" in old_text
    assert "▼" not in old_text and "week before" not in old_text


async def test_the_quarter_before_starts_on_its_first_day(office: Database) -> None:
    """The first quarter of 2027 is compared with the whole of the fourth of 2026: its first two days'
    ratings count (a quarter's length in days would have started on 3 October)."""
    units = await rate_the_week(office)  # in November 2026: the quarter before 2027Q1 too
    async with office.unit_of_work() as session:
        point = await session.scalar(select(ReceptionPoint).where(ReceptionPoint.code == "VP"))
        assert point is not None
        for day, overall in ((1, 5), (2, 1)):
            session.add(
                CitizenRating(
                    point_id=point.id, unit_id=point.unit_id, overall=overall, attitude=4, trips=1,
                    address_hash="d" * 64, created_at=at(date(2026, 10, day), 9), flagged=overall <= 2,
                )
            )  # fmt: skip
    async with office.unit_of_work() as session:
        report = await reports.build_report(
            session, root=None, period=Period(date(2027, 1, 1), date(2027, 3, 31))
        )
        satisfaction = await report_satisfaction(session, report)
    assert satisfaction.total.ratings == 0
    # November's five (four of WEEK, one the week before) and 1 and 2 October's two
    assert satisfaction.before(units["van-phong"]).ratings == 6 and satisfaction.previous_total.ratings == 7
    assert satisfaction.previous_total.satisfied == 4
