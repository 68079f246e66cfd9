"""A plan update composed on the web, with a PDF, goes out through the Telegram dispatcher to the fake Bot
API: each recipient gets the document itself, under its name, with the text and the "Received" button."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from telegram import Bot

from compliance.broadcasts import uploads
from handlers.telegram.delivery import Dispatcher
from storage.engine import Database
from storage.models_broadcast import Broadcast
from tests.fakes.botapi import FakeBotApi
from tests.test_web_broadcasts import PDF, admin, compose, fields, unit_id

# The office fixture's Telegram ids: Hoa 300 and Châu 301 (Văn phòng), Lan 302 and Huy 303.
OFFICE_CHATS = (300, 301, 302, 303)


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi()
    await fake.start()
    fake.known_chats.update(OFFICE_CHATS)
    yield fake
    await fake.stop()


async def test_the_web_upload_reaches_the_recipients_through_the_dispatcher(
    office: Database, server: FakeBotApi
) -> None:
    admin_id = await admin(office)
    chosen = [await unit_id(office, "Văn phòng")]
    answer = await compose(
        office, admin_id, fields(units=chosen), ("kế hoạch 15.pdf", PDF, "application/pdf")
    )
    assert answer.status_code == 303
    bot = Bot(server.token, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot")
    async with bot:
        dispatcher = Dispatcher(bot, office, wakeup=asyncio.Event(), default_locale="vi")
        sent = 0
        for _ in range(10):  # rows of other kinds may be due too; one per chat per round
            sent += await dispatcher.drain_once()
            if all(any("document" in m for m in server.messages_to(chat)) for chat in (300, 301)):
                break
    for chat in (300, 301):
        copies = [m for m in server.messages_to(chat) if "document" in m]
        assert len(copies) == 1, chat
        document = copies[0]["document"]
        assert document["file_name"] == "kế hoạch 15.pdf"
        assert server.files[document["file_id"]][1] == PDF
        assert "Kế hoạch số 15" in (copies[0]["caption"] or "")
        assert copies[0].get("reply_markup"), "the copy asks for confirmation"
    assert not any("document" in m for chat in (302, 303) for m in server.messages_to(chat))


async def test_the_document_is_uploaded_once_then_referred_to(office: Database, server: FakeBotApi) -> None:
    """The first copy uploads the bytes; Telegram's file_id it answers with serves every later copy."""
    admin_id = await admin(office)
    answer = await compose(office, admin_id, fields(target="all"), ("kh.pdf", PDF, "application/pdf"))
    assert answer.status_code == 303
    bot = Bot(server.token, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot")
    async with bot:
        dispatcher = Dispatcher(bot, office, wakeup=asyncio.Event(), default_locale="vi", batch=1)
        for _ in range(40):  # one row a round; other kinds due for these chats go first
            await dispatcher.drain_once()
            copies = [m for chat in OFFICE_CHATS for m in server.messages_to(chat) if "document" in m]
            if len(copies) == 4:
                break
    assert len(copies) == 4
    assert len({m["document"]["file_id"] for m in copies}) == 1  # one upload, three references
    assert [name for name, content in server.files.values() if content == PDF] == ["kh.pdf"]
    async with office.unit_of_work() as session:
        made = (await session.scalars(select(Broadcast))).one()
        stored = await uploads.of_broadcast(session, made.id)
    assert made.attachment_file_id == copies[0]["document"]["file_id"] and stored is not None
