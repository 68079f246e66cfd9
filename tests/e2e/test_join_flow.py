"""The foundation's whole flow through the real Application polling the fake Bot API server:
an admin imports the staff list, three officials join, each sees /me in their own language."""

from __future__ import annotations

from sqlalchemy import func, select

from compliance.office.accounts import linked
from handlers.i18n import _, use_locale
from storage.models import Official, OfficialStatus
from tests.factories import FakeUser, buttons, by_telegram, contact, document, press
from tests.harness import BotHarness
from tests.staff_files import OFFICE, xlsx_bytes

ADMIN = BotHarness.ADMIN
LAN = FakeUser(1001, "Lan", "Nguyễn", "vi")
HUY = FakeUser(1002, "Huy", "Đỗ", "en")
NEWCOMER = FakeUser(1003, "Mai", "Vũ", "en")
INTRUDER = FakeUser(1004, "Kẻ", "Lạ", "vi")


async def test_import_then_three_ways_in(harness: BotHarness) -> None:
    server = harness.server
    # The admin sends the staff list; the bot answers with the dry-run summary and a confirm button.
    meta = server.add_file("danh-sach.xlsx", xlsx_bytes(OFFICE))
    await harness.send(document(ADMIN, meta), to_chat=ADMIN.id)
    summary = await server.wait_for(
        lambda: next((m for m in server.sent[ADMIN.id] if "imp:ok:" in str(m.get("reply_markup"))), None)
    )
    assert "5" in summary["text"]
    confirm = next(b for b in buttons(summary) if b["callback_data"].startswith("imp:ok:"))
    before = len(server.sent[ADMIN.id])
    await server.inject(press(ADMIN, summary, confirm["callback_data"]))
    with use_locale("vi"):
        done_text = _("Import done: {created} new officials, {updated} updated.").format(created=5, updated=0)
    await server.wait_for(lambda: any(m.get("text") == done_text for m in server.sent[ADMIN.id][before:]))
    async with harness.database.unit_of_work() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(Official).where(Official.phone.is_not(None))
            )
            == 5
        )

    # (a) Lan shares her own phone number (as the request_contact button sends it, without "+").
    welcome = await harness.join(LAN, "84912000004")
    assert "Nguyễn Thị Lan" in welcome["text"]
    assert "Phòng Quản lý vận tải" in welcome["text"]

    # A forwarded contact of somebody else is refused and links nobody.
    refused = await harness.send(contact(INTRUDER, "0912000005", contact_user_id=LAN.id), to_chat=INTRUDER.id)
    with use_locale("vi"):
        expected = _(
            "Only your own phone number counts. Please use the <b>Share my phone number</b> button below "
            "instead of sending someone's contact."
        )
    assert expected.startswith("Chỉ") and refused["text"] == expected
    # Huy shares his own number; his Telegram is in English.
    welcome = await harness.join(HUY, "+84912000005")
    assert "Đỗ Quang Huy" in welcome["text"] and "Welcome" in welcome["text"]

    # (b) An invite link made by the unit's head (Lê Thị Hoa, Văn phòng) for a person not on the list.
    hoa = FakeUser(1005, "Hoa", "Lê", "vi")
    await harness.join(hoa, "0912000002")
    before_invite = len(server.sent.get(hoa.id, []))
    invite = await harness.say(hoa, "/invite")
    code = invite["text"].split("?start=")[1].split()[0]
    # The same link follows as a QR code: wait for it, so the next message to Hoa is the join request.
    qr = await harness.next_to(hoa.id, after=before_invite + 1)
    assert "photo" in qr and code in qr["caption"]
    asked = await harness.say(NEWCOMER, f"/start {code}")
    assert "full name" in asked["text"]
    hoa_before = len(server.sent[hoa.id])
    waiting = await harness.say(NEWCOMER, "Vũ   Thị Mai")
    assert "approval" in waiting["text"]
    request = await harness.next_to(hoa.id, after=hoa_before)
    assert "Vũ Thị Mai" in request["text"]
    approve = next(b for b in buttons(request) if b["callback_data"].startswith("jr:a:"))
    # Lan (an official, not a head) cannot approve, even with the button's data.
    lan_before = len(server.calls)
    await server.inject(press(LAN, request, approve["callback_data"]))
    await server.wait_for(lambda: any(c.method == "answerCallbackQuery" for c in server.calls[lan_before:]))
    before_newcomer = len(server.sent[NEWCOMER.id])
    edited = await harness.send(press(hoa, request, approve["callback_data"]), to_chat=hoa.id)
    assert "Vũ Thị Mai" in edited["text"]
    approved = await harness.next_to(NEWCOMER.id, after=before_newcomer)
    assert "approved" in approved["text"]

    # Everyone sees /me in their own language.
    me_lan = await harness.say(LAN, "/me")
    with use_locale("vi"):
        name_line_vi = _("Name: {name}").format(name="Nguyễn Thị Lan")
    assert name_line_vi != "Name: Nguyễn Thị Lan"  # really Vietnamese, not the English fallback
    assert name_line_vi in me_lan["text"]
    me_huy = await harness.say(HUY, "/me")
    assert "Name: Đỗ Quang Huy" in me_huy["text"]
    # Linked by the head's approval, Mai is asked for her consent at her first message, before anything.
    notice = await harness.say(NEWCOMER, "/me")
    agree = next(b["callback_data"] for b in buttons(notice) if b["callback_data"].startswith("cs:yes:"))
    shown = len(server.messages_to(NEWCOMER.id))
    await server.inject(press(NEWCOMER, notice, agree))
    await server.wait_for(lambda: len(server.messages_to(NEWCOMER.id)) > shown)  # the welcome
    me_mai = await harness.say(NEWCOMER, "/me")
    assert "Name: Vũ Thị Mai" in me_mai["text"] and "Văn phòng" in me_mai["text"]

    async with harness.database.unit_of_work() as session:
        joined = await session.scalar(
            select(func.count())
            .select_from(Official)
            .where(Official.status == OfficialStatus.ACTIVE, linked())
        )
        # Lan, Huy, Hoa, Mai and the admin; the intruder joined nobody.
        assert joined == 5
        assert await by_telegram(session, INTRUDER.id) is None
