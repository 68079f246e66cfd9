"""What every person can do, through the real bot: /me, /lang, /help, /cancel, and what strangers see."""

from __future__ import annotations

import json

from sqlalchemy import select

from compliance.office.staff_import import import_staff
from handlers.i18n import _, use_locale
from storage.models import JoinRequest, JoinRequestStatus
from tests.factories import FakeUser, buttons, by_telegram, document, press
from tests.fakes.telegram_rules import ApiError
from tests.harness import BotHarness
from tests.staff_files import OFFICE, csv_bytes, xlsx_bytes

LAN = FakeUser(2001, "Lan", "Nguyễn", "vi")
STRANGER = FakeUser(2002, "Người", "Lạ", "en")
HOSTILE_NAME = "<b>Nguyễn</b> & co"


async def seed(harness: BotHarness, rows: list[list[object]] | None = None) -> None:
    async with harness.database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(rows or OFFICE))


async def test_a_stranger_is_only_told_how_to_join(harness: BotHarness) -> None:
    with use_locale("en"):
        explanation = _(
            "Hello! This bot is for officials of offices that run the friendly-office pledge.\n\n"
            "To join, open /start and share your phone number: it must be on your office's staff list. "
            "If you are not on the list, ask your unit head or the office for an invite link."
        )
    for text in ("/me", "/invite", "/import", "hello", "/lang"):
        answer = await harness.say(STRANGER, text)
        assert answer["text"] == explanation, text
    start = await harness.say(STRANGER, "/start")
    assert start["_reply_keyboard"]["keyboard"][0][0]["request_contact"] is True


async def test_lang_switches_and_is_stored(harness: BotHarness) -> None:
    await seed(harness)
    await harness.join(LAN, "0912000004")
    menu = await harness.say(LAN, "/lang")
    english = next(b for b in buttons(menu) if b["callback_data"] == "lang:en")
    edited = await harness.send(press(LAN, menu, english["callback_data"]), to_chat=LAN.id)
    assert edited["text"] == "Language set to English."
    me = await harness.say(LAN, "/me")
    assert "Name: Nguyễn Thị Lan" in me["text"] and "Language: English" in me["text"]
    async with harness.database.unit_of_work() as session:
        lan = await by_telegram(session, LAN.id)
        assert lan is not None and lan.locale == "en"


async def test_help_depends_on_the_role(harness: BotHarness) -> None:
    await seed(harness)
    await harness.join(LAN, "0912000004")
    official_help = await harness.say(LAN, "/help")
    admin_help = await harness.say(BotHarness.ADMIN, "/help")
    assert "/me" in official_help["text"] and "/import" not in official_help["text"]
    assert "/import" in admin_help["text"] and "/invite" in admin_help["text"]


async def test_cancel_withdraws_a_join_request_halfway(harness: BotHarness) -> None:
    await seed(harness)
    hoa = FakeUser(2003, "Hoa", "Lê", "vi")
    await harness.join(hoa, "0912000002")
    invite = await harness.say(hoa, "/invite")
    code = invite["text"].split("?start=")[1].split()[0]
    await harness.say(STRANGER, f"/start {code}")
    cancelled = await harness.say(STRANGER, "/cancel")
    assert cancelled["text"] == "Cancelled. Nothing was recorded."
    after = await harness.say(STRANGER, "Vũ Thị Mai")  # no longer taken as a name
    assert "/start" in after["text"]
    async with harness.database.unit_of_work() as session:
        statuses = (await session.scalars(select(JoinRequest.status))).all()
    assert statuses == [JoinRequestStatus.CANCELLED]


async def test_hostile_names_are_shown_literally(harness: BotHarness) -> None:
    """Telegram (and the fake server) refuse HTML they cannot parse: an unescaped name would fail."""
    await seed(harness, [[HOSTILE_NAME, "<i>Chuyên viên", "Sở <GTVT>", "0912 000 009", "", ""]])
    welcome = await harness.join(LAN, "0912000009")
    assert "&lt;b&gt;Nguyễn&lt;/b&gt; &amp; co" in welcome["text"]
    me = await harness.say(LAN, "/me")
    assert "&lt;b&gt;Nguyễn&lt;/b&gt; &amp; co" in me["text"] and "Sở &lt;GTVT&gt;" in me["text"]


async def test_a_failing_step_apologises_in_the_users_language_and_keeps_earlier_data(
    harness: BotHarness,
) -> None:
    admin = BotHarness.ADMIN
    await seed(harness)
    await harness.join(LAN, "0912000004")
    await harness.say(admin, "/start")  # the admin's row and their answer to the privacy notice
    # Downloading the file fails on Telegram's side: the handler raises, the error handler answers.
    harness.server.fail_next("getFile", ApiError(500, "Internal Server Error"))
    meta = harness.server.add_file("ds.xlsx", xlsx_bytes(OFFICE))
    before = len(harness.server.sent.get(admin.id, []))
    await harness.server.inject(document(admin, meta))
    with use_locale("vi"):
        sorry = _(
            "Sorry, something went wrong and this step was not completed. Everything you had already "
            "confirmed is safe. Please try again in a moment."
        )
    await harness.server.wait_for(
        lambda: any(m.get("text") == sorry for m in harness.server.sent[admin.id][before:])
    )
    async with harness.database.unit_of_work() as session:
        lan = await by_telegram(session, LAN.id)
        assert lan is not None  # what was accepted before is still there


async def test_command_menus_are_registered_per_language_and_scope(harness: BotHarness) -> None:
    commands = harness.server.commands
    private = json.dumps({"type": "all_private_chats"}, sort_keys=True)
    groups = json.dumps({"type": "all_group_chats"}, sort_keys=True)
    admin = json.dumps({"chat_id": BotHarness.ADMIN.id, "type": "chat"}, sort_keys=True)
    english = {c["command"]: c["description"] for c in commands[f"{private}|en"]}
    default = {c["command"]: c["description"] for c in commands[f"{private}|"]}
    assert english["me"] == "Your details"
    with use_locale("vi"):
        assert default["me"] == _("Your details") != "Your details"
    assert [c["command"] for c in commands[f"{groups}|"]] == [
        "help",
        "ceremony",
        "linkgroup",
        "unlinkgroup",
        "groupreport",
    ]
    # The admin had never written to the bot when it started (Telegram: "chat not found"): their menu
    # comes with their /start.
    assert f"{admin}|vi" not in commands
    await harness.say(BotHarness.ADMIN, "/start")  # answered first, then the menu is set
    await harness.server.wait_for(lambda: f"{admin}|vi" in commands)
    assert {"invite", "import", "pending"} <= {c["command"] for c in commands[f"{admin}|vi"]}


async def test_a_long_staff_file_shows_progress_and_imports_all(harness: BotHarness) -> None:
    admin = BotHarness.ADMIN
    rows: list[list[object]] = [
        [f"Nguyễn Văn Số {i}", "Chuyên viên", f"Sở Nội vụ / Phòng {i % 7}", f"0913{i:06d}", "", ""]
        for i in range(1200)
    ]
    meta = harness.server.add_file("ds.csv", csv_bytes(rows))
    await harness.send(document(admin, meta), to_chat=admin.id)
    summary = await harness.server.wait_for(
        lambda: next(
            (m for m in harness.server.sent[admin.id] if "imp:ok:" in str(m.get("reply_markup"))), None
        )
    )
    ok = next(b for b in buttons(summary) if b["callback_data"].startswith("imp:ok:"))
    await harness.server.inject(press(admin, summary, ok["callback_data"]))
    with use_locale("vi"):
        done = _("Import done: {created} new officials, {updated} updated.").format(
            created="1.200", updated=0
        )
        progress = _("Importing… {done} / {total}").format(done=500, total="1.200")
    await harness.server.wait_for(lambda: any(m.get("text") == done for m in harness.server.sent[admin.id]))
    assert any(m.get("text") == progress for m in harness.server.sent[admin.id])
