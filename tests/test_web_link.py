"""/web in the chat and `python -m bot web-link PHONE`: a one-time link that signs the person in, once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from bot.cli import main
from compliance.office.staff_import import import_staff
from storage.engine import Database
from storage.models import Official
from storage.models_broadcast import AuditEntry
from storage.models_web import WebSignIn
from tests.factories import FakeUser, buttons, group_chat, message
from tests.harness import BotHarness
from tests.staff_files import OFFICE, xlsx_bytes
from tests.web_client import BASE, web_client

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
ROWS = [*OFFICE, [HOSTILE, "Chuyên viên", "Sở GTVT / Văn phòng", "0912000009", "", "cán bộ"]]
LAN = FakeUser(7001, "Lan", "Nguyễn", "en")
HOSTILE_USER = FakeUser(7002, "X", "", "en")
STRANGER = FakeUser(7003, "Người", "Lạ", "en")


async def seed(database: Database) -> None:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(ROWS))


async def sign_ins(database: Database) -> list[WebSignIn]:
    async with database.unit_of_work() as session:
        return list(await session.scalars(select(WebSignIn).order_by(WebSignIn.id)))


@pytest.fixture
async def bot(database: Database) -> AsyncIterator[BotHarness]:
    await seed(database)
    harness = BotHarness(database, public_url=BASE + "/")  # the trailing slash is dropped
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_web_sends_a_one_time_link_without_preview_that_signs_in_once(bot: BotHarness) -> None:
    await bot.join(LAN, "0912000004")
    answer = await bot.say(LAN, "/web")
    [button] = buttons(answer)
    link = button["url"]
    assert link.startswith(f"{BASE}/signin/") and len(link) > len(f"{BASE}/signin/") + 40
    assert f'href="{link}"' in answer["text"] and "10" in answer["text"]
    # No preview: Telegram's servers would fetch the address before the person does.
    sent = [c for c in bot.server.calls if c.method == "sendMessage" and c.params["chat_id"] == LAN.id]
    assert sent[-1].params["link_preview_options"] == {"is_disabled": True}
    [issued] = await sign_ins(bot.database)
    assert issued.issued_by == "chat" and issued.used_at is None

    async with web_client(bot.database) as client:
        opened = await client.get(urlsplit(link).path)
        assert opened.status_code == 303
        signed_in = await client.post("/signin")
        assert signed_in.status_code == 303
        page = await client.get(signed_in.headers["location"])
        assert page.status_code == 200 and "Nguyễn Thị Lan" in page.text
    async with web_client(bot.database) as other:  # the same link again, from another browser
        await other.get(urlsplit(link).path)
        refused = await other.post("/signin")
        assert refused.status_code == 400
        assert (await other.get("/")).status_code == 401
    # Each /web is a new link; the first one stays used.
    second = buttons(await bot.say(LAN, "/web"))[0]["url"]
    assert second != link and len(await sign_ins(bot.database)) == 2


async def test_a_hostile_name_comes_out_escaped_on_the_page_the_link_opens(bot: BotHarness) -> None:
    await bot.join(HOSTILE_USER, "0912000009")
    link = buttons(await bot.say(HOSTILE_USER, "/web"))[0]["url"]
    async with web_client(bot.database) as client:
        await client.get(urlsplit(link).path)
        page = await client.get((await client.post("/signin")).headers["location"])
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_strangers_and_groups_get_no_link(bot: BotHarness) -> None:
    stranger = await bot.say(STRANGER, "/web")
    assert "/signin/" not in stranger["text"] and not buttons(stranger)
    await bot.join(LAN, "0912000004")
    chat = group_chat(-100777, "Văn phòng")
    pointer = await bot.send(message(LAN, "/web", chat=chat), to_chat=int(chat["id"]))
    assert "/signin/" not in pointer["text"] and not buttons(pointer)
    assert await sign_ins(bot.database) == []


async def test_help_lists_web_for_members(bot: BotHarness) -> None:
    await bot.join(LAN, "0912000004")
    assert "/web" in (await bot.say(LAN, "/help"))["text"]
    assert "/web" not in (await bot.say(STRANGER, "/help"))["text"]


# ---- python -m bot web-link PHONE ------------------------------------------------------------------------
async def test_web_link_prints_a_link_that_signs_in_and_is_audited(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PUBLIC_URL", BASE + "/")
    database = Database(cli_database)
    try:
        await seed(database)
        assert await _cli(["web-link", "0912 000 002", "--next", "/language"]) == 0
        link = capsys.readouterr().out.strip()
        assert link.startswith(f"{BASE}/signin/")
        async with database.unit_of_work() as session:
            hoa = await session.scalar(select(Official).where(Official.phone == "+84912000002"))
            assert hoa is not None
            entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "web.link"))
            assert entry is not None and entry.subject == f"official:{hoa.id}" and entry.actor_id is None
        [issued] = await sign_ins(database)
        assert (issued.issued_by, issued.official_id, issued.next_path) == ("cli", hoa.id, "/language")
        async with web_client(database) as client:
            await client.get(urlsplit(link).path)
            signed_in = await client.post("/signin")
            assert signed_in.status_code == 303 and signed_in.headers["location"] == "/language"
            # Signed in; not having answered the privacy notice yet, Hoa is shown it first.
            home = await client.get("/")
            assert home.status_code == 303 and home.headers["location"] == "/consent"
            page = await client.get("/consent")
            assert page.status_code == 200 and "Lê Thị Hoa" in page.text
    finally:
        await database.dispose()


async def test_web_link_refuses_an_unknown_phone_and_a_foreign_next(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PUBLIC_URL", BASE)
    database = Database(cli_database)
    try:
        await seed(database)
        assert await _cli(["web-link", "0999 999 999"]) == 1
        captured = capsys.readouterr()
        assert captured.out == "" and "0999 999 999" in captured.err
        async with database.unit_of_work() as session:
            links = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "web.link")
            assert await session.scalar(links) == 0
        assert await sign_ins(database) == []
        # A link never sends a person to another site once signed in.
        assert await _cli(["web-link", "0912000004", "--next", "//evil.example/x"]) == 0
        [issued] = await sign_ins(database)
        assert issued.next_path == "/"
    finally:
        await database.dispose()


async def _cli(argv: list[str]) -> int:
    """main() runs its own event loop: in a worker thread, beside the test's."""
    return await asyncio.to_thread(main, argv)


async def test_over_https_web_also_offers_the_pages_as_a_telegram_mini_app(database: Database) -> None:
    await seed(database)
    harness = BotHarness(database, public_url="https://camket.example.gov.vn")
    await harness.start()
    try:
        await harness.join(LAN, "0912000004")
        answer = await harness.say(LAN, "/web")
        rows = answer["reply_markup"]["inline_keyboard"]
        assert rows[0][0]["url"].startswith("https://camket.example.gov.vn/signin/")
        assert rows[1][0]["web_app"] == {"url": "https://camket.example.gov.vn/app"}
    finally:
        await harness.stop()
