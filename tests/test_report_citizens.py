"""The letters to citizens and the units' stars in every report (issue 16), with the numbers the dashboard's
functions give (compliance.feedback.letters.subtree_counts, compliance.feedback.stars.rank_units): the chat's
/report on Telegram and on Zalo, its Excel (read back), the head's Monday summary and the group's weekly
post (the unit's figures only: no person, no citizen, no comment). Both engines.

The scene: Wednesday 13 January 2027, the report of this week (11–17 January); the stars of the last
quarter ended, IV/2026. Văn phòng issued two apologies this week (one before the promised day) and a
thank-you letter, and one apology the week before; Phòng Quản lý vận tải one apology this week.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from compliance.feedback import star_scores
from compliance.feedback.letters import LetterCounts, subtree_counts
from compliance.feedback.rubric import load_rubric
from compliance.feedback.stars import StarPeriod, UnitStars, rank_units
from compliance.office.accounts import ChannelUser, link
from compliance.office.groups import link as link_group
from compliance.office.groups import set_weekly_summary
from compliance.office.officials import actor_of
from compliance.reports.citizens import CitizensExtras, ReportLetters, ReportStars
from compliance.reports.lapses import Lapse
from compliance.reports.period import Period, PeriodKind
from compliance.reports.rollup import Figures, Report, UnitLine
from compliance.reports.satisfaction import SatisfactionFigures
from compliance.reports.satisfaction_report import ReportSatisfaction
from compliance.reports.weekly import plan_weekly_summaries
from handlers.i18n import _, fmt_number, use_locale
from handlers.messages import plain_text
from handlers.views.report import letters_line, report_text
from handlers.views.stars import office_stars_lines
from handlers.views.weekly import group_weekly, weekly_report
from handlers.zalo.conversation import respond
from storage.clock import ShiftedClock, use_clock
from storage.engine import Database
from storage.models import Channel, Official, OutboxMessage, Role, Unit
from storage.models_feedback import CitizenRating, ReceptionPoint
from storage.models_letters import CitizenLetter
from tests.consents import agree
from tests.roles import ADMIN, HEAD, OfficeBot, callback_update, message_update, office_bot
from tests.test_web_dashboard import person, sign_in
from tests.test_zalo_dialogs import incoming, services, texts
from tests.web_client import web_client

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2027, 1, 13, 10, tzinfo=VN)
WEEK = date(2027, 1, 11)  # this week's Monday
QUARTER = StarPeriod(2026, 4)
ZALO_HOA = "b7c8d9e0f1a20001"
CITIZEN = "Trần Thị Dân"
COMMENT = "Cán bộ hỏi tiền ngoài quy định"
PEOPLE = ("Lê Thị Hoa", "Phạm Minh Châu", "Vũ Văn Nam", "Nguyễn Thị Lan")


def local(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), VN).astimezone(UTC)


@pytest.fixture
def clock() -> Iterator[ShiftedClock]:
    with use_clock(ShiftedClock(NOW.astimezone(UTC))) as shifted:
        yield shifted  # type: ignore[misc]


@pytest.fixture
async def bot(database: Database, clock: ShiftedClock) -> AsyncIterator[OfficeBot]:
    async with office_bot(database) as running:
        await _seed(database)
        yield running


async def _seed(database: Database) -> None:
    async with database.unit_of_work() as session:
        units = {u.name: u for u in (await session.scalars(select(Unit))).all()}
        people = {p.full_name: p for p in (await session.scalars(select(Official))).all()}
        hoa = people["Lê Thị Hoa"]
        hoa.locale = "en"  # the texts are checked in English: the catalog's msgids
        await link(session, hoa, ChannelUser(Channel.ZALO, ZALO_HOA))
        await agree(session, hoa.id, "zalo")
        office, transport = units["Văn phòng"], units["Phòng Quản lý vận tải"]
        number = iter(range(1, 100))

        def letter(unit: Unit, kind: str, day: date, on_time: bool | None) -> CitizenLetter:
            return CitizenLetter(
                unit_id=unit.id, kind=kind, template_code=kind, template_version=1, year=day.year,
                number=next(number), fields={"citizen": CITIZEN}, body=f"Kính gửi {CITIZEN}",
                due_on=day + timedelta(days=1 if on_time else 0) if kind == "apology" else None,
                sent_on=day, on_time=on_time, by_id=hoa.id, created_at=local(day),
            )  # fmt: skip

        session.add_all(
            [
                letter(office, "apology", WEEK, True),
                letter(office, "apology", WEEK + timedelta(days=1), False),
                letter(office, "thanks", WEEK + timedelta(days=2), None),
                letter(office, "apology", WEEK - timedelta(days=2), True),  # last week: not counted
                letter(transport, "apology", WEEK + timedelta(days=1), True),
            ]
        )
        desk = ReceptionPoint(unit_id=office.id, code="CIT1")
        session.add(desk)
        await session.flush()

        def rating(day: date, overall: int, comment: str | None = None) -> CitizenRating:
            return CitizenRating(
                point_id=desk.id, unit_id=office.id, created_at=local(day), overall=overall, attitude=4,
                trips=1, asked_beyond_rules=False, address_hash="0" * 64, flagged=overall <= 2,
                comment=comment,
            )  # fmt: skip

        session.add_all(
            [
                rating(date(2026, 10, 20), 5),
                rating(date(2026, 11, 20), 4),
                rating(date(2026, 12, 10), 2),
                rating(WEEK + timedelta(days=1), 1, COMMENT),
            ]
        )
        admin = people["Lê Thị Hoa"]
        admin.role = Role.ADMIN  # entering a score is an admin's: Hoa for a moment
        await star_scores.enter_score(
            session,
            rubric=load_rubric(),
            unit=office,
            year=QUARTER.year,
            quarter=QUARTER.quarter or 4,
            reform=46.0,
            initiatives=2.0,
            note="Chỉ số CCHC quý IV/2026",
            actor=actor_of(admin),
        )
        admin.role = Role.HEAD


async def _dashboard_figures(database: Database, start: date, end: date) -> tuple[LetterCounts, UnitStars]:
    """What the dashboard reads for Văn phòng: its letters summary over [start, end] and its stars' row."""
    async with database.unit_of_work() as session:
        office = await session.scalar(select(Unit).where(Unit.name == "Văn phòng"))
        assert office is not None
        bounds = [datetime.combine(day, time(), VN) for day in (start, end + timedelta(days=1))]
        letters = await subtree_counts(session, top=office, start=bounds[0], end=bounds[1])
        ranking = await rank_units(session, rubric=load_rubric(), period=QUARTER, root=office)
        stars = ranking.of(office.id)
        assert stars is not None
        return letters, stars


def _expected_lines(letters: LetterCounts, stars: UnitStars) -> list[str]:
    with use_locale("en"):
        points = fmt_number(stars.total)
    return [
        f"Letters to citizens — apologies: {letters.apologies}, of which sent before the promised day: "
        f"{letters.on_time}; thank-you letters: {letters.thanks}.",
        f"Star rating of Văn phòng: {'★' * stars.stars}{'☆' * (4 - stars.stars)} {points}/100, "
        f"quarter IV/2026; rank {stars.rank} of {stars.peers} at its level",
        "Scoring rubric:",
    ]


async def test_the_chat_report_on_telegram_and_zalo_and_its_excel(bot: OfficeBot, database: Database) -> None:
    letters, stars = await _dashboard_figures(database, WEEK, WEEK + timedelta(days=6))
    assert letters == LetterCounts(apologies=2, on_time=1, thanks=1)  # counted by hand: the scene above
    assert stars.peers == 2 and stars.total > 46  # the reform points and the ratings of the quarter
    expected = _expected_lines(letters, stars)

    telegram = "\n".join((await bot.run(message_update(HEAD, "/report"))).texts)
    zalo = texts(await respond(incoming(ZALO_HOA, "BAO CAO"), services(database)))
    for text in (telegram, zalo):
        for line in expected:
            assert line in text, (line, text)
        assert CITIZEN not in text and COMMENT not in text
    # A period's button gives the same summary again (the stars still of the last quarter ended).
    pressed = "\n".join((await bot.run(callback_update(HEAD, "rp:p:week"))).texts)
    assert expected[1] in pressed

    before = set(bot.server.files)
    await bot.run(callback_update(HEAD, "rp:x:week"))
    [excel] = [content for file_id, (name, content) in bot.server.files.items() if file_id not in before]
    workbook = load_workbook(io.BytesIO(excel))
    assert workbook.sheetnames[-2:] == ["Letters to citizens", "Star rating"]
    letter_rows = list(workbook["Letters to citizens"].iter_rows(values_only=True))
    assert letter_rows[0] == (
        "Unit",
        "Code",
        "Apology letters",
        "Sent before the promised day",
        "Sent on or after the promised day",
        "Thank-you letters",
    )
    by_name = {str(row[0]).strip(): row for row in letter_rows[1:]}
    assert by_name["Văn phòng"][2:] == (letters.apologies, letters.on_time, 1, letters.thanks)
    assert by_name["Total"][2:] == by_name["Văn phòng"][2:]  # the head's report: her unit is the total
    assert "Phòng Quản lý vận tải" not in by_name  # a sibling's letters are not hers to see
    star_rows = list(workbook["Star rating"].iter_rows(values_only=True))
    assert star_rows[0][:5] == ("Rank among peers", "/", "Unit", "Code", "Level in the tree")
    assert star_rows[0][-3:] == ("Total points", "Stars", "★")
    office_row = next(row for row in star_rows[1:] if row[2:3] == ("Văn phòng",))
    assert office_row[:2] == (stars.rank, stars.peers) and office_row[-3:-1] == (stars.total, stars.stars)
    assert any(str(row[0]).startswith("Scoring rubric:") for row in star_rows if row)
    cells = [str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row]
    assert not any(CITIZEN in cell or COMMENT in cell for cell in cells)

    # The dashboard's Excel (where Zalo's heads get the file) has the same two sheets, cell for cell.
    hoa = await person(database, "Lê Thị Hoa")
    async with web_client(database) as client:
        await sign_in(client, database, hoa)
        answer = await client.get("/dashboard/report.xlsx?period=week")
    assert answer.status_code == 200
    web = load_workbook(io.BytesIO(answer.content))
    for title in ("Letters to citizens", "Star rating"):
        assert list(web[title].iter_rows(values_only=True)) == list(
            workbook[title].iter_rows(values_only=True)
        )


async def test_the_weekly_summary_and_the_group_post(bot: OfficeBot, database: Database) -> None:
    letters, stars = await _dashboard_figures(database, WEEK, WEEK + timedelta(days=6))
    expected = _expected_lines(letters, stars)
    async with database.unit_of_work() as session:
        hoa = await session.scalar(select(Official).where(Official.full_name == "Lê Thị Hoa"))
        office = await session.scalar(select(Unit).where(Unit.name == "Văn phòng"))
        assert hoa is not None and office is not None
        await link_group(session, actor=actor_of(hoa), chat_id=-4401, title="VP", unit=office)
        await set_weekly_summary(session, actor=actor_of(hoa), chat_id=-4401, on=True)
    async with database.unit_of_work() as session:
        await plan_weekly_summaries(session, week=WEEK + timedelta(days=7))  # Monday after: this week's
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    head = next(row for row in rows if row.kind == "weekly_report" and row.official_id == hoa.id)
    group = next(row for row in rows if row.kind == "group_weekly")
    for payload in (head.payload, group.payload):
        assert (payload["apologies"], payload["apologies_on_time"], payload["thanks"]) == (2, 1, 1)
        assert payload["stars"]["stars"] == stars.stars and payload["stars"]["points"] == stars.total
    with use_locale("en"):
        head_text = weekly_report(head.payload).text
        group_text = group_weekly(group.payload).text
        points = fmt_number(stars.total)
    stars_line = f"Star rating: {'★' * stars.stars}{'☆' * (4 - stars.stars)} {points}/100, quarter IV/2026"
    for text in (head_text, group_text):
        assert expected[0] in text and stars_line in text and "Scoring rubric:" in text, text
    for secret in (*PEOPLE, CITIZEN, COMMENT):
        assert secret not in group_text, secret
    assert CITIZEN not in head_text and COMMENT not in head_text
    assert "office_stars" not in head.payload and "office_stars" not in group.payload

    # An admin's summary: how many of the office's units (every level) earned each number of stars.
    async with database.unit_of_work() as session:
        ranking = await rank_units(session, rubric=load_rubric(), period=QUARTER)
        admins = (await session.scalars(select(Official.id).where(Official.role == Role.ADMIN))).all()
    earned = Counter(unit.stars for unit in ranking.units)
    assert earned == {1: 3}  # the Sở and its two offices, each under 80 points (Văn phòng's 48 entered)
    admin = next(row for row in rows if row.kind == "weekly_report" and row.official_id in admins)
    assert "stars" not in admin.payload
    assert admin.payload["office_stars"] == {
        "counts": [[4, 0], [3, 0], [2, 0], [1, 3]],
        "units": len(ranking.units),
        "most": 4,
        "year": 2026,
        "quarter": 4,
        "rubric": "dong-nai-2025",
    }
    with use_locale("en"):
        admin_text = weekly_report(admin.payload).text
        older = weekly_report({k: v for k, v in admin.payload.items() if k != "office_stars"}).text
    office_line = "Units by star rating, quarter IV/2026 (all levels): ★★★★ 0, ★★★☆ 0, ★★☆☆ 0, ★☆☆☆ 3"
    assert office_line in admin_text and "Scoring rubric:" in admin_text, admin_text
    assert "Weekly report of the whole office" in admin_text
    assert "Units by star rating" not in older and "Scoring rubric:" not in older  # planned before it


async def test_the_emulation_review_ranks_the_units_of_its_quarter(
    bot: OfficeBot, database: Database
) -> None:
    """The admin's review of this quarter (I/2027, so far) ends with the units' stars of the same quarter,
    as the ranking page gives them for the office."""
    async with database.unit_of_work() as session:
        ranking = await rank_units(session, rubric=load_rubric(), period=StarPeriod(2027, 1))
    before = set(bot.server.files)
    await bot.run(callback_update(ADMIN, "rp:r:quarter"))
    [(name, excel)] = [entry for file_id, entry in bot.server.files.items() if file_id not in before]
    assert "2027Q1" in name
    workbook = load_workbook(io.BytesIO(excel))
    with use_locale("vi"):  # the admin reads Vietnamese (the sheet's name as the catalog has it)
        title = _("Star rating")
    assert workbook.sheetnames[-1] == title
    rows = list(workbook[title].iter_rows(values_only=True))
    by_code = {row[3]: row for row in rows[1:] if row and len(row) > 3 and row[3]}
    assert len(ranking.units) >= 3 and set(by_code) == {unit.code for unit in ranking.units}
    for unit in ranking.units:
        assert by_code[unit.code][:2] == (unit.rank, unit.peers)
        assert by_code[unit.code][-3:-1] == (unit.total, unit.stars)
    cells = [str(cell) for row in rows for cell in row if cell is not None]
    assert any(cell.startswith("Bộ tiêu chí chấm điểm:") for cell in cells)
    assert not any(person in cell for person in PEOPLE for cell in cells)  # units only


def test_an_admins_line_of_a_provinces_stars() -> None:
    """Two thousand units at every level: each number of stars with its count, as the reader writes
    numbers."""
    payload = {
        "counts": [[4, 12], [3, 40], [2, 300], [1, 1648]],
        "units": 2000,
        "most": 4,
        "year": 2026,
        "quarter": 3,
        "rubric": "dong-nai-2025",
    }
    with use_locale("en"):
        english = office_stars_lines({"office_stars": payload})
    with use_locale("vi"):
        vietnamese = office_stars_lines({"office_stars": payload})
    assert (
        english[0]
        == "Units by star rating, quarter III/2026 (all levels): ★★★★ 12, ★★★☆ 40, ★★☆☆ 300, ★☆☆☆ 1,648"
    )
    assert english[1].startswith("Scoring rubric:") and len(english) == 2
    assert vietnamese[0].endswith("★★★★ 12, ★★★☆ 40, ★★☆☆ 300, ★☆☆☆ 1.648") and "III/2026" in vietnamese[0]
    assert office_stars_lines({"stars": payload}) == []  # a head's or an old summary: no such line


def test_a_big_offices_summary_stays_within_a_telegram_message() -> None:
    """Thirty-eight communes with long names and forty lapses: the per-unit lines are cut (the Excel has
    them all), never the letters or the office's own stars, and the text fits Telegram's 4 096."""
    nothing = Figures()
    root = Unit(id=1, name="Ủy ban nhân dân huyện Bình Lục tỉnh Hà Nam", code="bl", path="/1/", depth=0)
    units = [UnitLine(1, root.name, "bl", 0, nothing, nothing)] + [
        UnitLine(n, f"Ủy ban nhân dân xã Bình Nghĩa số {n:02d} huyện Bình Lục", f"x{n}", 1, nothing, nothing)
        for n in range(2, 40)
    ]
    lapses = [Lapse(n, "Nguyễn Thị Phương Thảo", units[5].name, "missed_twice") for n in range(40)]
    report = Report(root, Period(WEEK, WEEK + timedelta(days=6)), units, nothing, nothing, [], lapses)
    rated = SatisfactionFigures(
        ratings=100,
        satisfied=80,
        flags=3,
        asked_beyond_rules=12,
        trips=[70, 20, 10],
        attitude=[5, 5, 10, 30, 50],
    )
    before = SatisfactionFigures(ratings=90, satisfied=81)
    # the longest text: every unit with an arrow, the period before's index, the attitude and trips line
    satisfaction = ReportSatisfaction(
        rated, {line.unit_id: rated for line in units}, before, {line.unit_id: before for line in units}
    )
    ranked = [
        UnitStars(line.unit_id, line.name, line.code, line.depth, "/", (), 88.5, 88.5, 2, n, 38)
        for n, line in enumerate(units, 1)
    ]
    extras = CitizensExtras(
        ReportLetters(LetterCounts(120, 100, 30), {}), ReportStars(QUARTER, load_rubric(), ranked)
    )
    for locale in ("vi", "en"):
        with use_locale(locale):
            text = report_text(report, PeriodKind.THIS_WEEK, {}, satisfaction, extras)
            letters = letters_line(extras.letters.total)
        assert len(plain_text(text)) <= 4096, locale
        assert letters in text and root.name in text and "★★☆☆" in text
        assert "Bình Nghĩa số 03" in text  # the units' lines are cut shorter, not dropped
        assert "▼" in text and "90%" in text  # 80% against 90% the period before
