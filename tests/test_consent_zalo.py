"""Consent on Zalo, through the channel against the fake Zalo server: the notice after an activation code,
each part within Zalo's 2 000 characters; numbers and words answer it only while it is asked ("ĐỒNG Ý" is
also the pledge's last word); declining unlinks; RUT DONG Y withdraws after a numbered confirmation."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.zalo_channel import ZaloChannel
from compliance.office import activation
from compliance.office.accounts import ChannelUser, find_official, link
from compliance.office.staff_import import import_staff
from compliance.pledge import signing as pledges
from handlers.zalo.client import ZaloClient
from handlers.zalo.delivery import ZaloPace
from storage.clock import utcnow
from storage.engine import Database
from storage.models import AccountStatus, Channel, ChannelAccount, Official
from storage.models_broadcast import AuditEntry
from storage.models_consent import Consent
from tests.consents import agree
from tests.fakes.zalo import FakeZalo
from tests.pledge_files import template
from tests.staff_files import OFFICE, xlsx_bytes

LAN, HUY, HOA = "5f0e1d2c3b4a0001", "5f0e1d2c3b4a0002", "5f0e1d2c3b4a0003"


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def channel(fake: FakeZalo, database: Database) -> AsyncIterator[ZaloChannel]:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        await pledges.publish(session, template=template(), unit=None, material=False, publisher_id=None)
    started = ZaloChannel(
        ZaloClient(fake.url, fake.token),
        database,
        default_locale="en",
        public_url="http://127.0.0.1:8080",
        rate_limit=50,
        webhook_secret=None,
        poll_seconds=2,
        pace=ZaloPace(50, per_chat_seconds=0),
    )
    await started.start()
    yield started
    await started.stop()


class Chat:
    """One person's chat with the bot through the fake server."""

    def __init__(self, fake: FakeZalo, channel: ZaloChannel, user: str) -> None:
        self.fake, self.channel, self.user = fake, channel, user

    async def say(self, text: str) -> list[str]:
        before = len(self.fake.texts(self.user))
        await self.fake.inject(self.user, text)
        await self.channel.wait_handled(self.channel.handled + 1)
        return self.fake.texts(self.user)[before:]


async def code_for(database: Database, name: str) -> str:
    async with database.unit_of_work() as session:
        person = await session.scalar(select(Official).where(Official.full_name == name))
        assert person is not None
        return await activation.issue(session, official_id=person.id, issued_by_id=None, now=utcnow())


async def person(database: Database, name: str) -> Official:
    async with database.unit_of_work() as session:
        found = await session.scalar(select(Official).where(Official.full_name == name))
        assert found is not None
        return found


async def consents(database: Database, official_id: int) -> list[Consent]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(Consent).where(Consent.official_id == official_id))).all())


async def test_the_notice_after_the_code_then_words_answer_it(
    fake: FakeZalo, channel: ZaloChannel, database: Database
) -> None:
    lan = Chat(fake, channel, LAN)
    shown = await lan.say(await code_for(database, "Nguyễn Thị Lan"))
    assert "linked" in shown[0] and any("Notice on the processing" in text for text in shown)
    assert all(len(text) <= 2000 for text in shown) and len(shown) >= 3  # the notice in parts
    assert "1." in shown[-1] and "2." in shown[-1] and "DONG Y" in shown[-1]
    official = await person(database, "Nguyễn Thị Lan")
    # Anything else is not processed: the notice again, nothing recorded.
    again = await lan.say("menu")
    assert (
        any("Notice on the processing" in text for text in again)
        and await consents(database, official.id) == []
    )
    agreed = await lan.say("Đồng ý!")
    assert "consent is recorded" in agreed[0] and "RUT DONG Y" in agreed[0] and "Menu" in agreed[-1]
    (given,) = await consents(database, official.id)
    assert (given.notice_version, given.channel) == (1, "zalo")
    # Now "ĐỒNG Ý" means nothing to the consent: it is the pledge dialog's (and without it, the menu's).
    assert not any("consent" in text for text in await lan.say("ĐỒNG Ý"))
    assert len(await consents(database, official.id)) == 1


async def test_declining_by_number_unlinks(fake: FakeZalo, channel: ZaloChannel, database: Database) -> None:
    huy = Chat(fake, channel, HUY)
    await huy.say(await code_for(database, "Đỗ Quang Huy"))
    declined = await huy.say("2")
    assert "did not agree" in declined[0]
    async with database.unit_of_work() as session:
        assert await find_official(session, ChannelUser(Channel.ZALO, HUY)) is None
        audit = await session.scalar(select(AuditEntry).where(AuditEntry.action == "consent.decline"))
        assert audit is not None and audit.after is not None and audit.after["channel"] == "zalo"
    assert "activation code" in (await huy.say("xin chào"))[0]  # a stranger again


async def test_rut_dong_y_withdraws_after_confirming(
    fake: FakeZalo, channel: ZaloChannel, database: Database
) -> None:
    hoa = await person(database, "Lê Thị Hoa")
    async with database.unit_of_work() as session:
        await link(session, hoa, ChannelUser(Channel.ZALO, HOA))
        await link(session, hoa, ChannelUser.telegram(4100))
        await agree(session, hoa.id, "telegram")
    chat = Chat(fake, channel, HOA)
    asked = await chat.say("rút đồng ý")
    assert "Withdraw your consent?" in asked[0] and "1." in asked[0] and "hashes" in asked[0]
    kept = await chat.say("2")
    assert "stays" in kept[0] and (await consents(database, hoa.id))[0].withdrawn_at is None
    await chat.say("RUT DONG Y")
    done = await chat.say("1")
    assert "withdrawn" in done[0]
    (given,) = await consents(database, hoa.id)
    assert given.withdrawn_at is not None and given.withdrawn_channel == "zalo"
    async with database.unit_of_work() as session:
        statuses = set(
            (
                await session.scalars(
                    select(ChannelAccount.status).where(ChannelAccount.official_id == hoa.id)
                )
            ).all()
        )
        assert statuses == {AccountStatus.UNLINKED}
