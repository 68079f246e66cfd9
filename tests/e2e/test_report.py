"""/report through the real bot: a head's summary, Excel read back, chart PNG, an official's own card."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime

import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from compliance.office import unit_admin
from handlers.i18n import _, use_locale
from storage.engine import Database
from storage.models import OutboxMessage
from tests.factories import FakeUser, buttons, press
from tests.harness import BotHarness
from tests.test_unit_admin import admin_actor

HOA = FakeUser(300, "Hoa", "Lê", "vi")  # head of Văn phòng
LAN = FakeUser(302, "Lan", "Nguyễn", "vi")  # an official of Phòng Quản lý vận tải
WEDNESDAY = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # "last week" is the office fixture's week


async def test_a_heads_report_with_excel_and_chart(office: Database, harness: BotHarness) -> None:
    with time_machine.travel(WEDNESDAY, tick=True):
        summary = await harness.say(HOA, "/report")
        last_week = next(b for b in buttons(summary) if b["callback_data"] == "rp:p:lastweek")
        report = await harness.send(press(HOA, summary, last_week["callback_data"]), to_chat=HOA.id)
        with use_locale("vi"):
            assert _("On the staff list: {n}").format(n=2) in report["text"]
            assert (
                _("Signed the current pledge: {n}/{total} ({rate}){trend}").format(
                    n=1, total=2, rate="50%", trend=" ▲"
                )
                in report["text"]
            )  # the week before, nobody had signed yet
            assert "Phạm Minh Châu" in report["text"] and "Đỗ Quang Huy" not in report["text"]  # not her unit
        excel = next(b for b in buttons(report) if b["callback_data"].startswith("rp:x:"))
        before = len(harness.server.messages_to(HOA.id))
        await harness.server.inject(press(HOA, report, excel["callback_data"]))
        sent = await harness.server.wait_for(
            lambda: next((m for m in harness.server.messages_to(HOA.id)[before:] if "document" in m), None)
        )
        name, content = harness.server.files[sent["document"]["file_id"]]
        assert name == "bao-cao-van-phong-tu-16-11-2026-den-22-11-2026.xlsx"  # in her language
        with use_locale("vi"):  # what the file is: whose figures, for which period
            subject = "Văn phòng, " + _("{period}, {start} – {end}").format(
                period=_("Last week").lower(), start="16/11/2026", end="22/11/2026"
            )
            assert sent["caption"] == _("Report (Excel): {subject}").format(subject=subject)
        workbook = load_workbook(io.BytesIO(content))
        # Then the citizens' side (issue 16), there even for a period without ratings or letters: the
        # ratings, the letters, and the units' stars of the last quarter ended.
        assert workbook.sheetnames == [
            _("Units"), _("People"), _("Satisfaction"), _("Letters to citizens"), _("Star rating")
        ]  # fmt: skip
        summary_sheet = workbook.worksheets[0]
        assert summary_sheet.freeze_panes == "A2" and summary_sheet.auto_filter.ref
        header = [cell.value for cell in summary_sheet[1]]
        row = [cell.value for cell in summary_sheet[2]]
        assert row[header.index(_("On the list"))] == 2 and row[header.index(_("Signed %"))] == 0.5
        assert summary_sheet.cell(row=2, column=7).number_format == "0.0%"
        people = [row[0] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)]
        assert people == ["Phạm Minh Châu", "Lê Thị Hoa"]  # everyone of her unit, not only lapses
        chart = next(b for b in buttons(report) if b["callback_data"].startswith("rp:c:"))
        before = len(harness.server.messages_to(HOA.id))
        await harness.server.inject(press(HOA, report, chart["callback_data"]))
        photo = await harness.server.wait_for(
            lambda: next((m for m in harness.server.messages_to(HOA.id)[before:] if "photo" in m), None)
        )
        png = harness.server.files[photo["photo"][0]["file_id"]][1]
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert width >= 1080 and height > width  # phone width, read by scrolling
        with use_locale("vi"):
            assert photo["caption"] == _("Chart: {subject}").format(subject=subject)


async def test_an_official_gets_their_own_card_and_no_unit_report(
    office: Database, harness: BotHarness
) -> None:
    with time_machine.travel(WEDNESDAY, tick=True):
        card = await harness.say(LAN, "/report")
        with use_locale("vi"):
            assert card["text"].startswith(_("<b>Your card</b>"))
        assert not buttons(card) and "4/5" in card["text"]
        before = len(harness.server.calls)
        await harness.server.inject(press(LAN, {**card, "reply_markup": None}, "rp:x:lastweek"))
        await harness.server.wait_for(
            lambda: any(c.method == "answerCallbackQuery" for c in harness.server.calls[before:])
        )
        assert not any("document" in m for m in harness.server.messages_to(LAN.id))


async def test_nudging_those_with_lapses_once_a_day(office: Database, harness: BotHarness) -> None:

    with time_machine.travel(WEDNESDAY, tick=True):
        summary = await harness.say(HOA, "/report")
        nudge = next(b for b in buttons(summary) if b["callback_data"].startswith("rp:n:"))
        for expected in (1, 0):  # Châu has not signed; pressing again the same day reminds nobody
            told = await harness.send(press(HOA, summary, nudge["callback_data"]), to_chat=HOA.id)
            with use_locale("vi"):
                assert told["text"] == _("{n} officials will be reminded (each at most once a day).").format(
                    n=expected
                )
        async with office.unit_of_work() as session:
            nudges = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "nudge"))).all()
        assert [(int(n.address), n.payload["lapse"]) for n in nudges] == [(301, "not_signed")]


async def test_the_admins_review_button(office: Database, harness: BotHarness) -> None:
    admin = BotHarness.ADMIN
    with time_machine.travel(WEDNESDAY, tick=True):
        summary = await harness.say(admin, "/report")
        review = next(b for b in buttons(summary) if b["callback_data"] == "rp:r:quarter")
        before = len(harness.server.messages_to(admin.id))
        await harness.server.inject(press(admin, summary, review["callback_data"]))
        sent = await harness.server.wait_for(
            lambda: next((m for m in harness.server.messages_to(admin.id)[before:] if "document" in m), None)
        )
        name, content = harness.server.files[sent["document"]["file_id"]]
        assert name == "thi-dua-2026Q4.xlsx"
        assert sent["caption"].endswith("01/10/2026 – 31/12/2026")  # the quarter, in the caption
        assert load_workbook(io.BytesIO(content)).sheetnames == [
            "Sở GTVT",
            "Phòng Quản lý vận tải",  # siblings in Vietnamese order
            "Văn phòng",
            "Mức độ hài lòng",  # the citizens' ratings of the same units and quarter (issue 16)
            "Xếp hạng sao",  # the units' stars of the same quarter (issue 16)
        ]
        hoa_summary = await harness.say(HOA, "/report")
        assert not any(b["callback_data"] == "rp:r:quarter" for b in buttons(hoa_summary))  # heads: no button


async def test_an_admins_chart_of_many_units_comes_as_an_album_of_phone_wide_pages(
    office: Database, harness: BotHarness
) -> None:
    admin = BotHarness.ADMIN
    async with office.unit_of_work() as session:
        actor = await admin_actor(session)
        for n in range(1, 13):
            await unit_admin.add_unit(
                session, actor=actor, parent_code="so-gtvt", code=f"to-{n}", name=f"Tổ {n}"
            )
    with time_machine.travel(WEDNESDAY, tick=True):
        summary = await harness.say(admin, "/report")
        chart = next(b for b in buttons(summary) if b["callback_data"].startswith("rp:c:"))
        before = len(harness.server.messages_to(admin.id))
        await harness.server.inject(press(admin, summary, chart["callback_data"]))
        await harness.server.wait_for(lambda: any(c.method == "sendMediaGroup" for c in harness.server.calls))
        album = [m for m in harness.server.messages_to(admin.id)[before:] if "photo" in m]
    assert len(album) >= 2 and all(m["_method"] == "sendPhoto" for m in album)
    with use_locale("vi"):
        assert album[0]["caption"].startswith(_("Chart: {subject}").format(subject=""))
    assert all(m["caption"] is None for m in album[1:])  # the album's caption, once
    for page in album:
        width, height = struct.unpack(">II", harness.server.files[page["photo"][0]["file_id"]][1][16:24])
        assert width >= 1080 and height <= 2560  # nothing for Telegram to shrink
