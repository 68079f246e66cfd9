"""The head's notice of a flagged rating: who gets it (the unit's head, else the nearest head above, else
the admins; only those who agreed to the privacy notice), one row per channel account, once per rating,
at the same working day's time (or the next working day's start), the contact only with consent."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot

from compliance.feedback import followup
from compliance.feedback.ratings import RatingAnswers, record_rating
from compliance.office.accounts import ChannelUser, link
from compliance.practice.calendar import WorkCalendar
from handlers.telegram.delivery import Dispatcher
from handlers.zalo.client import ZaloClient
from handlers.zalo.delivery import ZaloDispatcher, ZaloPace, ZaloSender
from storage.clock import local_today, utcnow
from storage.engine import Database
from storage.models import Channel, Official, OutboxMessage, Role, Unit
from storage.models_consent import Consent
from storage.models_feedback import CitizenRating, ReceptionPoint
from tests.consents import agree
from tests.fakes.botapi import FakeBotApi
from tests.fakes.zalo import FakeZalo
from tests.web_admin_office import populate

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BINH, HOA, ADMIN = "Trần Văn Bình", "Lê Thị Hoa", "Vũ Thị Quản"
TRANSPORT, OFFICE_UNIT = "Phòng Quản lý vận tải", "Văn phòng"
SITE = "https://camket.example.vn"


async def working_days(database: Database) -> tuple[date, date]:
    """Two consecutive working days from today on, and so whatever day the suite runs (Tết included)."""
    today = local_today()
    async with database.unit_of_work() as session:
        calendar = await WorkCalendar.load(session, start=today, end=today + timedelta(days=40))
    days = calendar.working_days_between(today + timedelta(days=1), today + timedelta(days=40))
    return days[0], days[1]


async def next_day_off(database: Database) -> tuple[date, date]:
    """A day off from today on, and the first working day after it."""
    today = local_today()
    async with database.unit_of_work() as session:
        calendar = await WorkCalendar.load(session, start=today, end=today + timedelta(days=60))
    day = today + timedelta(days=1)
    while calendar.is_working_day(day):
        day += timedelta(days=1)
    after = day + timedelta(days=1)
    while not calendar.is_working_day(after):
        after += timedelta(days=1)
    return day, after


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), VN).astimezone(UTC)


async def office(database: Database) -> dict[str, int]:
    """The test office; Bình (the Sở's head) on Telegram and Zalo, Hoa (Văn phòng's head) and the admin on
    Telegram; all three agreed to the privacy notice. A point for each of the two sub-units."""
    people = await populate(database)
    async with database.unit_of_work() as session:
        for n, name in enumerate((BINH, HOA, ADMIN)):
            official = await session.get(Official, people[name])
            assert official is not None
            await link(session, official, ChannelUser.telegram(700 + n))
            await agree(session, official.id)
        binh = await session.get(Official, people[BINH])
        assert binh is not None
        await link(session, binh, ChannelUser(Channel.ZALO, "zalo-binh"))
        for code, unit in (("TRANSP", TRANSPORT), ("OFFICE", OFFICE_UNIT)):
            unit_id = await _unit_id(session, unit)
            session.add(
                ReceptionPoint(unit_id=unit_id, desk="Quầy 1" if code == "OFFICE" else None, code=code)
            )
    return people


async def _unit_id(session: AsyncSession, name: str) -> int:
    found = await session.scalar(select(Unit.id).where(Unit.name == name))
    assert found is not None
    return found


async def rate(database: Database, code: str, answers: RatingAnswers, now: datetime) -> int:
    async with database.unit_of_work() as session:
        point = await session.scalar(select(ReceptionPoint).where(ReceptionPoint.code == code))
        assert point is not None
        return await record_rating(session, point=point, answers=answers, address_hash="h" * 64, now=now)


async def notices(database: Database) -> list[OutboxMessage]:
    async with database.unit_of_work() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == followup.KIND).order_by(OutboxMessage.id)
        )
        return list(rows.all())


BAD = RatingAnswers(overall=1, attitude=3, trips=3, asked_beyond_rules=False, comment="<b>Chờ</b> lâu")
ASKED = RatingAnswers(overall=4, attitude=4, trips=1, asked_beyond_rules=True)
GOOD = RatingAnswers(overall=5, attitude=5, trips=1, asked_beyond_rules=False)


async def test_a_flagged_rating_reaches_the_nearest_head_on_each_of_their_accounts(
    database: Database,
) -> None:
    people = await office(database)
    day, _ = await working_days(database)
    now = at(day, 10, 15)
    await rate(database, "TRANSP", GOOD, now)
    assert await notices(database) == []  # a satisfied citizen troubles nobody
    rating_id = await rate(database, "TRANSP", BAD, now)
    rows = await notices(database)
    # Phòng Quản lý vận tải has no head: the Sở's head hears, on Telegram and on Zalo, at once.
    assert sorted((r.official_id, r.channel) for r in rows) == sorted(
        [(people[BINH], Channel.TELEGRAM), (people[BINH], Channel.ZALO)]
    )
    assert {r.not_before for r in rows} == {now}
    payload = rows[0].payload
    assert payload["rating_id"] == rating_id and payload["overall"] == 1 and payload["trips"] == 3
    assert payload["comment"] == "<b>Chờ</b> lâu"  # raw here: the view escapes it per channel
    assert payload["unit_name"] == TRANSPORT and payload["desk"] is None
    # The page's path only: the site's address is the channels' (PUBLIC_URL), added when the notice is built.
    assert payload["path"] == f"/dashboard/ratings/{rating_id}" and "url" not in payload
    assert "contact" not in payload
    # Planned once per rating and account, however often the hook runs.
    async with database.unit_of_work() as session:
        rating = await session.get(CitizenRating, rating_id)
        assert rating is not None
        await followup.rating_recorded(session, rating, now=now)
    assert len(await notices(database)) == 2


async def test_the_units_own_head_and_the_contact_only_with_consent(database: Database) -> None:
    people = await office(database)
    day, _ = await working_days(database)
    with_contact = RatingAnswers(
        overall=4, attitude=2, trips=2, asked_beyond_rules=False, contact="0912 345 678", contact_consent=True
    )
    await rate(database, "OFFICE", with_contact, at(day, 9))
    await rate(database, "OFFICE", ASKED, at(day, 9, 5))
    rows = await notices(database)
    assert [r.official_id for r in rows] == [people[HOA], people[HOA]]  # not the Sở's head
    assert rows[0].payload["contact"] == "0912 345 678" and rows[0].payload["desk"] == "Quầy 1"
    assert "contact" not in rows[1].payload and rows[1].payload["asked_beyond_rules"] is True


@pytest.mark.parametrize("hour", [6, 17, 22])
async def test_outside_office_hours_the_notice_waits_for_the_working_days_start(
    database: Database, hour: int
) -> None:
    await office(database)
    day, following = await working_days(database)
    await rate(database, "TRANSP", BAD, at(day, hour))
    expected = at(day, 8) if hour < 8 else at(following, 8)
    assert {r.not_before for r in await notices(database)} == {expected}


async def test_on_a_day_off_the_notice_waits_for_the_next_working_day(database: Database) -> None:
    await office(database)
    off, after = await next_day_off(database)
    await rate(database, "TRANSP", BAD, at(off, 11))
    assert {r.not_before for r in await notices(database)} == {at(after, 8)}


async def test_without_a_head_who_agreed_the_admins_hear(database: Database) -> None:
    people = await office(database)
    async with database.unit_of_work() as session:
        await session.execute(
            update(Consent)
            .where(Consent.official_id == people[BINH])
            .values(withdrawn_at=at(local_today(), 0))
        )
    day, _ = await working_days(database)
    await rate(database, "TRANSP", BAD, at(day, 10))
    assert [r.official_id for r in await notices(database)] == [people[ADMIN]]
    # And with no admin either, nobody: the rating still counts in the reports.
    async with database.unit_of_work() as session:
        await session.execute(update(Official).where(Official.role == Role.ADMIN).values(role=Role.OFFICIAL))
    await rate(database, "TRANSP", BAD, at(day, 10, 30))
    assert len(await notices(database)) == 1


async def test_each_channel_links_the_page_on_its_own_public_address(database: Database) -> None:
    """The domain plans the path; the dispatchers, started with PUBLIC_URL, put the address in front."""
    await office(database)
    day, _ = await working_days(database)
    rating_id = await rate(database, "TRANSP", BAD, at(day, 10))
    async with database.unit_of_work() as session:  # due now rather than on that working day
        await session.execute(update(OutboxMessage).values(not_before=utcnow()))
    page = f"{SITE}/dashboard/ratings/{rating_id}"
    telegram, zalo = FakeBotApi(), FakeZalo()
    await telegram.start()
    await zalo.start()
    try:
        telegram.known_chats.add(700)
        async with Bot(telegram.token, base_url=f"{telegram.url}/bot") as bot:
            sender = Dispatcher(bot, database, wakeup=asyncio.Event(), default_locale="vi", public_url=SITE)
            assert await sender.drain_once() == 1
        async with ZaloClient(zalo.url, zalo.token) as client:
            zalo_sender = ZaloSender(client, ZaloPace(50, per_chat_seconds=0))
            dispatcher = ZaloDispatcher(
                zalo_sender, database, wakeup=asyncio.Event(), default_locale="vi", public_url=SITE
            )
            assert await dispatcher.drain_once() == 1
    finally:
        await telegram.stop()
        await zalo.stop()
    [telegram_text] = telegram.texts_to(700)
    assert f'<a href="{page}">' in telegram_text
    assert "&lt;b&gt;Chờ&lt;/b&gt; lâu" in telegram_text  # the comment escaped, not markup
    zalo_text = "\n".join(zalo.texts("zalo-binh"))
    assert page in zalo_text and "<b>Chờ</b> lâu" in zalo_text and "<a " not in zalo_text
