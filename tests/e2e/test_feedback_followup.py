"""A citizen's flagged rating through the real process (`python -m bot run` with Telegram and Zalo, both
fake servers, the web pages at PUBLIC_URL), on a working day's morning: the poster's address (/r/<code>)
→ the form with "asked for money" and a hostile comment → the unit's nearest head told on Telegram AND on
Zalo (once each, the comment escaped where there is markup, the follow-up link) → the head signs in on the
web and records the follow-up → the figures in the head's report on Zalo and on the dashboard."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta

import httpx
import pytest
import time_machine
from sqlalchemy import select

from compliance.feedback import followup
from compliance.feedback.points import create_point
from compliance.feedback.rubric import Metric, load_rubric
from compliance.feedback.stars import quarter_of, rank_units
from compliance.office.accounts import ChannelUser, link
from compliance.office.staff_import import import_staff
from compliance.practice.calendar import LOCAL_TZ, WorkCalendar
from handlers.i18n import _, fmt_percent, load_catalogs, use_locale
from handlers.messages import plain_text
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Channel, Official, OfficialStatus, OutboxMessage, Unit
from storage.models_feedback import CitizenRating, RatingFollowUp
from tests import child_clock
from tests.consents import agree
from tests.e2e.zalo_office import ZaloOffice
from tests.factories import FakeUser, link_telegram
from tests.feedback_desk import aged_token, answers
from tests.staff_files import OFFICE, xlsx_bytes
from tests.web_client import link_token

BINH = FakeUser(401, "Bình", "Trần")  # the Sở's head: Phòng Quản lý vận tải has none of its own
BINH_ZALO = "b1b2c3d4e5f60001"
HOSTILE = '<b>Cán bộ</b> đòi "bồi dưỡng" 500.000đ & hẹn <script>x</script>'
LINK = re.compile(r'href="(http://127\.0\.0\.1:\d+/dashboard/ratings/\d+)"')


async def working_morning(database: Database) -> datetime:
    """10:00 of the next working day (today's, before 10:00), by the office's calendar."""
    now = utcnow().astimezone(LOCAL_TZ)
    async with database.unit_of_work() as session:
        calendar = await WorkCalendar.load(session, start=now.date(), end=now.date() + timedelta(days=40))
    day = now.date() if now.time() < time(10) else now.date() + timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(10), LOCAL_TZ)


@pytest.fixture
def travelling() -> Iterator[None]:
    """The child process reads the test's clock (tests.fakes.clocked) while the test travels."""
    before = child_clock.travelling
    child_clock.travelling = True
    try:
        yield
    finally:
        child_clock.travelling = before


async def seed(database: Database) -> tuple[int, str]:
    """The staff list; Bình on Telegram and on Zalo, agreed to the privacy notice; a point for the Phòng."""
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        binh = await session.scalar(select(Official).where(Official.full_name == "Trần Văn Bình"))
        assert binh is not None
        binh.status = OfficialStatus.ACTIVE
        await link_telegram(session, binh, BINH.id)
        await link(session, binh, ChannelUser(Channel.ZALO, BINH_ZALO))
        await agree(session, binh.id)
        unit = await session.scalar(select(Unit).where(Unit.name == "Phòng Quản lý vận tải"))
        assert unit is not None
        point = await create_point(session, unit=unit, desk="Quầy 2", actor=None)
        return binh.id, point.code


async def test_a_flagged_rating_from_the_poster_to_the_report(
    database: Database, database_url: str, travelling: None
) -> None:
    with time_machine.travel(await working_morning(database), tick=True):
        binh_id, code = await seed(database)
        office = ZaloOffice(database_url)
        office.telegram.known_chats.add(BINH.id)
        bot = await office.start()
        try:
            async with httpx.AsyncClient(base_url=bot.url) as phone:
                form = await phone.get(f"/r/{code}")
                assert form.status_code == 200 and 'name="form_token"' in form.text
                token = await aged_token(database, code)
                sent = await phone.post(
                    f"/r/{code}",
                    data={
                        **answers(overall="2", attitude="1", asked_beyond_rules="yes", comment=HOSTILE),
                        "form_token": token,
                    },
                )
                assert sent.status_code in (200, 303), sent.text
            async with database.unit_of_work() as session:
                rating = await session.scalar(select(CitizenRating))
                assert rating is not None and rating.flagged and rating.comment == HOSTILE

            # ---- the head told at once, on both channels, once each -------------------------------------
            await office.telegram.wait_for(lambda: office.telegram.messages_to(BINH.id), timeout=30)
            await office.zalo.wait_for(lambda: bool(office.zalo.texts(BINH_ZALO)), timeout=30)
            telegram_text = office.telegram.messages_to(BINH.id)[0]["text"]
            zalo_text = office.zalo.texts(BINH_ZALO)[0]
            assert html.escape(HOSTILE, quote=False) in telegram_text and HOSTILE not in telegram_text
            assert HOSTILE in zalo_text  # Zalo shows plain text: nothing there to escape
            found = LINK.search(telegram_text)
            assert found is not None and found.group(1) == f"{bot.url}/dashboard/ratings/{rating.id}"
            assert found.group(1) in zalo_text and "Quầy 2" in zalo_text
            async with database.unit_of_work() as session:
                rows = (
                    await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == followup.KIND))
                ).all()
            # One row per account (the Zalo send's outcome may still be on its way to the database).
            assert sorted(r.channel for r in rows) == [Channel.TELEGRAM, Channel.ZALO]

            # ---- the head records the follow-up on the web --------------------------------------------
            path = found.group(1).removeprefix(bot.url)
            async with httpx.AsyncClient(base_url=bot.url) as browser:
                assert (await browser.get(path)).status_code == 401  # not signed in yet
                opened = await browser.get(f"/signin/{await link_token(database, binh_id, next_path=path)}")
                assert opened.status_code == 303
                assert (await browser.post("/signin")).status_code == 303
                page = await browser.get(path)
                assert page.status_code == 200 and "&lt;script&gt;x&lt;/script&gt;" in page.text
                assert HOSTILE not in page.text
                csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
                assert csrf is not None
                recorded = await browser.post(
                    path,
                    data={"csrf": csrf.group(1), "contacted": "1", "resolved": "1", "note": "Đã xác minh"},
                )
                assert recorded.status_code == 303
                board = await browser.get("/dashboard/satisfaction?period=week")
                assert board.status_code == 200 and path in board.text
                # ---- and into the unit's stars: the head's ranking page counts the rating ------------------
                stars = await browser.get("/dashboard/stars")
                assert stars.status_code == 200 and "Phòng Quản lý vận tải" in stars.text
            async with database.unit_of_work() as session:
                desk_unit = await session.scalar(select(Unit).where(Unit.name == "Phòng Quản lý vận tải"))
                assert desk_unit is not None
                ranking = await rank_units(
                    session, rubric=load_rubric(), period=quarter_of(utcnow().astimezone(LOCAL_TZ).date())
                )
                scored = ranking.of(desk_unit.id)
                assert scored is not None
                (satisfaction,) = [
                    m
                    for c in scored.criteria
                    for m in c.measures
                    if m.measure.metric is Metric.SATISFACTION_INDEX
                ]
                # One rating, not satisfied: measured (0 of 1), so it earns 0 points rather than "no data".
                assert (satisfaction.part, satisfaction.whole, satisfaction.points) == (0, 1, 0)
            async with database.unit_of_work() as session:
                entries = (await session.scalars(select(RatingFollowUp))).all()
            assert [(e.contacted, e.resolved, e.by_id) for e in entries] == [(True, True, binh_id)]

            # ---- the figures in the head's report on Zalo -----------------------------------------------
            report = "\n".join(await office.say(BINH_ZALO, "bao cao"))
            load_catalogs()  # as the process did when it started: the catalogs may have been rebuilt since
            with use_locale("vi"):
                line = _(
                    "Citizens' ratings: {n}, satisfaction index {index}{trend} (period before: {before}); "
                    "flagged {flags}, not resolved {open}"
                )
                # The period before had no rating: no arrow, and a dash for its index.
                expected = plain_text(
                    line.format(n=1, index=fmt_percent(0), trend="", before="—", flags=1, open=0)
                )
            assert expected in report, report
            assert "bồi dưỡng" not in report  # comments never in a chat report
            notices = [t for t in office.zalo.texts(BINH_ZALO) if "/dashboard/ratings/" in t]
            assert len(notices) == 1 and len(office.telegram.messages_to(BINH.id)) == 1
        finally:
            code_ = await office.stop()
        assert code_ == 0, bot.log[-3000:]
        assert not [line for line in bot.lines if " ERROR " in line or "Traceback" in line], bot.log[-3000:]
