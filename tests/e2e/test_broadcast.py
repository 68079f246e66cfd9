"""Broadcasts through the real bot: compose with a PDF, preview, confirm, delivery once each,
acknowledgements, the sender's follow-up, the automatic reminder after two working days, and who may
not broadcast."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from functools import partial
from typing import Any

import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, select

from compliance.practice import planner
from compliance.practice.calendar import LOCAL_TZ
from handlers.i18n import _, use_locale
from handlers.telegram import broadcast_status
from storage.engine import Database
from storage.models import OutboxMessage, Unit
from storage.models_broadcast import Broadcast, BroadcastAck, UnitGroup
from tests.factories import FakeUser, buttons, document, message, press
from tests.harness import BotHarness

ADMIN = BotHarness.ADMIN
HOA = FakeUser(300, "Hoa", "Lê", "vi")  # head of Văn phòng
CHAU = FakeUser(301, "Châu", "Phạm", "vi")
LAN = FakeUser(302, "Lan", "Nguyễn", "en")
HUY = FakeUser(303, "Huy", "Đỗ", "vi")
RECIPIENTS = (HOA, CHAU, LAN, HUY)
WEDNESDAY_10 = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 10:00 in Viet Nam
GROUP = -5001


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


async def _codes(database: Database, *names: str) -> list[str]:
    async with database.unit_of_work() as session:
        return [str(await session.scalar(select(Unit.code).where(Unit.name == name))) for name in names]


async def _press_and_wait(
    harness: BotHarness, user: FakeUser, shown: dict[str, Any], data: str
) -> dict[str, Any]:
    return await harness.send(press(user, shown, data), to_chat=user.id)


def _with_button(messages: list[dict[str, Any]], prefix: str) -> dict[str, Any] | None:
    return next(
        (m for m in reversed(messages) if any(b["callback_data"].startswith(prefix) for b in buttons(m))),
        None,
    )


async def _compose(
    harness: BotHarness, user: FakeUser, *, text: str, codes: str, pdf: bool = True
) -> dict[str, Any]:
    """Walks the conversation up to the summary with the confirm button, and returns that summary."""
    server = harness.server
    await harness.say(user, "/broadcast")
    ask_file = await harness.say(user, text)
    if pdf:
        meta = server.add_file("ke-hoach-15-KH.pdf", b"%PDF-1.4 plan")
        targets = await harness.send(document(user, meta, "application/pdf"), to_chat=user.id)
    else:
        targets = await _press_and_wait(harness, user, ask_file, "bc:skip")
    ask_codes = await _press_and_wait(harness, user, targets, "bc:t:units")
    assert ask_codes["text"]
    when = await harness.say(user, codes)
    ack = await _press_and_wait(harness, user, when, "bc:w:now")
    before = len(server.sent[user.id])
    await server.inject(press(user, ack, "bc:a:1"))
    summary: dict[str, Any] = await server.wait_for(
        lambda: _with_button(server.sent[user.id][before:], "bc:ok")
    )
    return summary


async def test_a_plan_update_with_a_pdf_reaches_two_units_and_is_followed_up(
    office: Database, harness: BotHarness
) -> None:
    server = harness.server
    server.known_chats.update({GROUP, *(u.id for u in RECIPIENTS)})  # they have opened the bot before
    vp, qlvt = await _codes(office, "Văn phòng", "Phòng Quản lý vận tải")
    with time_machine.travel(WEDNESDAY_10, tick=True):
        summary = await _compose(
            harness, ADMIN, text="Kế hoạch số 15/KH-SGTVT <b>mới</b>", codes=f"{vp}, {qlvt}"
        )
        preview = next(m for m in server.sent[ADMIN.id] if "document" in m)
        assert "&lt;b&gt;mới&lt;/b&gt;" in preview["caption"]  # the sender's text is shown as typed, escaped
        with use_locale("vi"):
            assert (
                _("Recipients: <b>{n}</b>. Sending: {when}. Confirmation asked: {ack}.").format(
                    n=4, when=_("now"), ack=_("yes")
                )
                == summary["text"]
            )
        async with office.unit_of_work() as session:
            assert (
                await session.scalar(select(func.count()).select_from(Broadcast)) == 0
            )  # nothing before confirm
        await server.inject(press(ADMIN, summary, "bc:ok"))
        copies = {}
        for user in RECIPIENTS:
            copies[user.id] = await server.wait_for(partial(_first_document, server, user.id))
            assert copies[user.id]["document"]["file_name"] == "ke-hoach-15-KH.pdf"
        async with office.unit_of_work() as session:
            broadcast = (await session.scalars(select(Broadcast))).one()
            assert broadcast.total == 4
        await server.wait_for(
            lambda: all(len([m for m in server.sent[u.id] if "document" in m]) == 1 for u in RECIPIENTS)
        )
        # Huy forwards his copy to Châu... and Châu presses the button on it: it is not her copy.
        await harness.settle_outbox()  # every copy's message id recorded
        origin = {"type": "user", "date": copies[HUY.id]["date"], "sender_user": HUY.as_dict()}
        forwarded = {
            **copies[HUY.id],
            "chat": CHAU.private_chat(),
            "message_id": 999_999,
            "forward_origin": origin,
        }
        await server.inject(press(CHAU, forwarded, f"ack:{broadcast.id}"))
        # Three acknowledge (Hoa twice: recorded once).
        for user in (HOA, LAN, HUY, HOA):
            edited = await _press_and_wait(harness, user, copies[user.id], f"ack:{broadcast.id}")
            assert edited["_method"] == "editMessageReplyMarkup"
        async with office.unit_of_work() as session:
            acks = (await session.scalars(select(BroadcastAck.official_id))).all()
            assert len(acks) == 3
        # The sender's progress message, edited by the progress job, and the follow-up.
        await harness.settle_outbox()
        assert await broadcast_status.refresh_once(harness.app.bot, office, "vi") == 1  # type: ignore[union-attr]
        progress = server.sent[ADMIN.id][-1]
        with use_locale("vi"):
            assert (
                _("Sent {sent} / {total}, failed {failed}.").format(sent=4, total=4, failed=0)
                in progress["text"]
            )
        listing = await harness.say(ADMIN, "/broadcasts")
        with use_locale("vi"):
            assert _(", confirmed {n}").format(n=3) in listing["text"]
        detail = await _press_and_wait(harness, ADMIN, listing, f"bc:d:{broadcast.id}")
        assert "Phạm Minh Châu" in detail["text"] and "Nguyễn Thị Lan" not in detail["text"]
        # The recipients' Excel: says what it is, and lists people by unit and name the Vietnamese way.
        before = len(server.sent[ADMIN.id])
        await server.inject(press(ADMIN, detail, f"bc:x:{broadcast.id}"))
        sent = await server.wait_for(lambda: _first_document_after(server, ADMIN.id, before))
        with use_locale("vi"):
            caption = _(
                "Recipients of plan update no. {id} of {date}: {n} people, with delivery and confirmation (Excel)"  # noqa: E501
            ).format(id=broadcast.id, date="25/11/2026 10:00", n=4)
        assert sent["caption"] == caption
        sheet = load_workbook(io.BytesIO(server.files[sent["document"]["file_id"]][1])).worksheets[0]
        names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert names == ["Đỗ Quang Huy", "Nguyễn Thị Lan", "Phạm Minh Châu", "Lê Thị Hoa"]

    # Automatic reminder: two working days after Wednesday 10:00 is Friday 10:00, once.
    for moment, expected in (
        (local(2026, 11, 26, 11, 0), 0),
        (local(2026, 11, 27, 10, 1), 1),
        (local(2026, 11, 27, 10, 2), 0),
        (local(2026, 12, 1, 10, 0), 0),
    ):
        with time_machine.travel(moment, tick=True):
            async with office.unit_of_work() as session:
                report = await planner.tick(session, now=moment.astimezone(UTC))
                assert report.planned.get("broadcast_remind", 0) == expected, moment
            if expected:
                harness.app.bot_data.outbox_wakeup.set()  # type: ignore[union-attr]
                reminder = await server.wait_for(
                    lambda: _with_button([m for m in server.sent[CHAU.id] if "document" not in m], "ack:")
                )
                assert "🔔" in reminder["text"]
                edited = await _press_and_wait(harness, CHAU, reminder, f"ack:{broadcast.id}")
                assert edited["_method"] == "editMessageReplyMarkup"
    assert len([m for m in server.messages_to(CHAU.id) if "🔔" in m.get("text", "")]) == 1
    async with office.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(BroadcastAck)) == 4


def _first_document_after(server: Any, chat_id: int, before: int) -> dict[str, Any] | None:
    return next((m for m in server.sent.get(chat_id, [])[before:] if "document" in m), None)


def _first_document(server: Any, chat_id: int) -> dict[str, Any] | None:
    return next((m for m in server.sent.get(chat_id, []) if "document" in m), None)


async def test_who_may_broadcast_and_a_linked_group_gets_it(office: Database, harness: BotHarness) -> None:
    server = harness.server
    server.known_chats.add(GROUP)
    vp, qlvt = await _codes(office, "Văn phòng", "Phòng Quản lý vận tải")
    async with office.unit_of_work() as session:
        unit_id = await session.scalar(select(Unit.id).where(Unit.code == vp))
        assert unit_id is not None
        session.add(UnitGroup(chat_id=GROUP, unit_id=unit_id, title="Văn phòng"))
    # An official cannot broadcast at all.
    refused = await harness.say(LAN, "/broadcast")
    with use_locale("en"):
        assert refused["text"] == _("This command is for unit heads and administrators only.")
    # A head cannot reach a unit outside their subtree.
    await harness.say(HOA, "/broadcast")
    ask_file = await harness.say(HOA, "Họp giao ban thứ Hai")
    targets = await _press_and_wait(harness, HOA, ask_file, "bc:skip")
    await _press_and_wait(harness, HOA, targets, "bc:t:units")
    outside = await harness.say(HOA, qlvt)
    with use_locale("vi"):
        assert _("Outside the units you may send to: {codes}.").format(codes=qlvt) in outside["text"]
    cancelled = await harness.say(HOA, "/cancel")
    with use_locale("vi"):
        assert cancelled["text"] == _("Cancelled. Nothing was sent.")
    # Her own subtree's linked group receives it; the group's copy has no personal button.
    await harness.say(HOA, "/broadcast")
    ask_file = await harness.say(HOA, "Họp giao ban thứ Hai")
    targets = await _press_and_wait(harness, HOA, ask_file, "bc:skip")
    when = await _press_and_wait(harness, HOA, targets, "bc:t:groups")
    ack = await _press_and_wait(harness, HOA, when, "bc:w:now")
    before = len(server.sent[HOA.id])
    await server.inject(press(HOA, ack, "bc:a:1"))
    summary = await server.wait_for(lambda: _with_button(server.sent[HOA.id][before:], "bc:ok"))
    await server.inject(press(HOA, summary, "bc:ok"))
    group_copy = await server.wait_for(lambda: next(iter(server.sent.get(GROUP, [])), None))
    assert "Họp giao ban thứ Hai" in group_copy["text"] and not buttons(group_copy)
    # Someone pressing an acknowledgement on the group's message counts nothing.
    await server.inject(press(CHAU, group_copy, "ack:1"))
    in_group = message(CHAU, "/help", chat={"id": GROUP, "type": "group", "title": "Văn phòng"})
    await harness.send(in_group, to_chat=GROUP)
    async with office.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(BroadcastAck)) == 0
        rows = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.broadcast_id.is_not(None)))
        ).all()
        assert [int(r.address) for r in rows] == [GROUP]
