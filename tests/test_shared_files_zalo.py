"""What Zalo cannot carry goes by link: a plan update's PDF uploaded on the web reaches a Zalo reader as a
PUBLIC_URL/f/… line that downloads it (through the real ZaloDispatcher against the fake Zalo server), also
after a Telegram copy replaced the upload by Telegram's file id; a head's BAO CAO chart is a picture Zalo
fetches twice from the web server, 200 both times. Both engines."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select

from bot.logs import SIGN_IN_TOKEN
from bot.zalo_channel import ZaloChannel
from compliance.broadcasts.status import keep_channel_file
from handlers.zalo.client import ZaloClient
from handlers.zalo.delivery import ZaloDispatcher, ZaloPace, ZaloSender
from handlers.zalo.links import AttachmentLinks, fetchable_by_zalo
from storage.engine import Database
from storage.models_broadcast import Broadcast, BroadcastFile
from storage.models_files import SharedFile
from tests.browser.server import WebServer, serve
from tests.fakes.zalo import FakeZalo
from tests.test_web_broadcasts import PDF, admin, compose, fields, unit_id
from tests.test_zalo_dialogs import HOA, LAN, office

LINK = re.compile(r"https?://\S+/f/[A-Za-z0-9_\-]+")
TRANSPORT = "Phòng Quản lý vận tải"  # Nguyễn Thị Lan's unit: she is on Zalo, Đỗ Quang Huy on nothing


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def web(database: Database) -> AsyncIterator[WebServer]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    async with serve(database, listener) as server:
        yield server


async def _broadcast_with_pdf(database: Database) -> tuple[int, int]:
    """A plan update with a PDF, composed on the web, to Lan's unit: (the broadcast, Lan)."""
    people = await office(database)
    admin_id = await admin(database)
    answer = await compose(
        database,
        admin_id,
        fields(units=[await unit_id(database, TRANSPORT)]),
        ("kế hoạch 15.pdf", PDF, "application/pdf"),
    )
    assert answer.status_code == 303
    async with database.unit_of_work() as session:
        return int((await session.scalars(select(Broadcast.id))).one()), people.official


async def _drain_until(dispatcher: ZaloDispatcher, fake: FakeZalo, chat: str) -> str:
    """Steps the dispatcher until the chat got a link (other rows due for it may go first); the link."""
    for _ in range(10):
        await dispatcher.drain_once()
        found: list[str] = [m for text in fake.texts(chat) for m in LINK.findall(text)]
        if found:
            return found[0]
    raise AssertionError(f"no link reached {chat}: {fake.texts(chat)}")


async def _dispatch_to_lan(database: Database, fake: FakeZalo, web: WebServer) -> str:
    async with ZaloClient(fake.url, fake.token) as client:
        sender = ZaloSender(client, ZaloPace(50, per_chat_seconds=0))
        dispatcher = ZaloDispatcher(
            sender,
            database,
            wakeup=asyncio.Event(),
            default_locale="en",
            links=AttachmentLinks(database, web.url),
        )
        return await _drain_until(dispatcher, fake, LAN)


async def test_a_web_uploaded_pdf_reaches_a_zalo_reader_as_a_link_that_downloads_it(
    database: Database, fake: FakeZalo, web: WebServer
) -> None:
    _, lan = await _broadcast_with_pdf(database)
    link = await _dispatch_to_lan(database, fake, web)
    assert link.startswith(f"{web.url}/f/")
    copy = next(text for text in fake.texts(LAN) if link in text)
    assert "Kế hoạch số 15" in copy and "kế hoạch 15.pdf" in copy
    async with httpx.AsyncClient() as browser:  # the reader's phone: no cookie, no session
        answer = await browser.get(link)
    assert answer.status_code == 200 and answer.content == PDF
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("attachment;")
    async with database.unit_of_work() as session:
        shared = (await session.scalars(select(SharedFile))).one()
        stored_files = await session.scalar(select(func.count()).select_from(BroadcastFile))
    assert shared.content is None and shared.broadcast_file_id is not None  # referenced, not copied
    assert shared.official_id == lan and stored_files == 1
    assert SIGN_IN_TOKEN.sub(r"\1[REDACTED]", link).endswith("/f/[REDACTED]")  # masked in a logged path


async def test_the_link_survives_telegram_taking_over_the_upload(
    database: Database, fake: FakeZalo, web: WebServer
) -> None:
    """Once a Telegram copy went out, the broadcast names Telegram's file id instead of "web:<id>": the
    Zalo copies still link the stored document, under its name (seen lost when Telegram went first)."""
    broadcast_id, _ = await _broadcast_with_pdf(database)
    async with database.unit_of_work() as session:
        await keep_channel_file(session, broadcast_id=broadcast_id, file_ref="BQACAgIAAxkBAAIBc2Zfake")
    link = await _dispatch_to_lan(database, fake, web)
    copy = next(text for text in fake.texts(LAN) if link in text)
    assert "kế hoạch 15.pdf" in copy
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(link)
    assert answer.status_code == 200 and answer.content == PDF


async def test_a_heads_report_chart_is_fetched_by_zalo_twice(
    database: Database, fake: FakeZalo, web: WebServer
) -> None:
    people = await office(database)
    channel = ZaloChannel(
        ZaloClient(fake.url, fake.token),
        database,
        default_locale="en",
        public_url=web.url,  # the web server the fake (as Zalo) fetches the picture from
        rate_limit=50,
        poll_seconds=2,
        pace=ZaloPace(50, per_chat_seconds=0),
    )
    await channel.start()
    try:
        await fake.inject(HOA, "bao cao")
        await channel.wait_handled(1, seconds=30)
    finally:
        await channel.stop()
    photos = [m for m in fake.sent[HOA] if "photo" in m]
    assert len(photos) == 1
    url = photos[0]["photo"]
    assert url.startswith(f"{web.url}/f/")
    assert photos[0]["fetched"] == [200, 200] and fake.photo_fetches[url] == [200, 200]
    async with database.unit_of_work() as session:
        shared = (await session.scalars(select(SharedFile))).one()
    assert (shared.kind, shared.media_type, shared.official_id) == ("photo", "image/png", people.head)
    assert any("/signin/" in text for text in fake.texts(HOA))  # the dashboard link still comes


def test_only_an_address_the_internet_reaches_serves_pictures_to_zalo() -> None:
    assert fetchable_by_zalo("https://camket.sogtvt.gov.vn")
    for local in ("http://127.0.0.1:8080", "http://localhost:8080", "http://192.168.1.5", ""):
        assert not fetchable_by_zalo(local), local
