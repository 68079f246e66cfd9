"""/calendar through the real bot: an admin declares days, lists the months, and others are refused."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from compliance.office.staff_import import import_staff
from compliance.practice.calendar import Override, SpecialDay
from handlers.i18n import _, use_locale
from handlers.messages import esc
from handlers.views.calendar import day_text, reason_text, usage_text
from storage.clock import LOCAL_TZ
from storage.models_practice import CalendarOverride
from tests.factories import FakeUser, by_telegram
from tests.harness import BotHarness
from tests.staff_files import OFFICE, xlsx_bytes

ADMIN = BotHarness.ADMIN
LAN = FakeUser(2101, "Lan", "Nguyễn", "vi")
STRANGER = FakeUser(2102, "Người", "Lạ", "en")
HOSTILE_NOTE = "<b>Làm bù</b> & họp"


async def overrides(harness: BotHarness) -> list[tuple[date, str, str | None]]:
    async with harness.database.unit_of_work() as session:
        rows = (await session.scalars(select(CalendarOverride).order_by(CalendarOverride.day))).all()
    return [(r.day, r.kind, r.note) for r in rows]


async def test_an_admin_declares_days_and_lists_the_calendar(harness: BotHarness) -> None:
    harness.clock.move_to(datetime(2026, 8, 10, 9, tzinfo=LOCAL_TZ))
    saturday, friday, thursday = date(2026, 8, 22), date(2026, 8, 28), date(2026, 8, 27)
    already = await harness.say(ADMIN, "/calendar workday 22/08/2026")
    extra_saturday = await harness.say(ADMIN, f"/calendar workday 29/8 {HOSTILE_NOTE}")
    day_off = await harness.say(ADMIN, "/calendar off 2026-08-28")
    another = await harness.say(ADMIN, "/calendar off 27/08/2026 Hội nghị")
    bad_date = await harness.say(ADMIN, "/calendar off 31/02/2026")
    bad_action = await harness.say(ADMIN, "/calendar holiday 01/09/2026")
    listing = await harness.say(ADMIN, "/calendar")
    removed = await harness.say(ADMIN, "/calendar remove 27/08/2026")
    nothing = await harness.say(ADMIN, "/calendar remove 27/08/2026")
    with use_locale("vi"):
        # The holidays package knows the government's swap: Saturday 22/08 is worked for Monday 31/08.
        assert already["text"] == _("{day} is already a working day; nothing changed.").format(
            day=day_text(saturday)
        )
        assert extra_saturday["text"] == _("Saved: {day} is now a working day.").format(
            day=day_text(date(2026, 8, 29))
        )
        assert day_off["text"] == _("Saved: {day} is now a day off.").format(day=day_text(friday))
        assert another["text"] == _("Saved: {day} is now a day off.").format(day=day_text(thursday))
        assert bad_date["text"] == _("There is no day “{text}” in the calendar.").format(text="31/02/2026")
        assert bad_action["text"] == usage_text()
        lines = listing["text"].split("\n")
        assert lines[0] == _("<b>Calendar from {start} to {end}</b>").format(
            start="01/08/2026", end="30/09/2026"
        )
        makeup = SpecialDay(saturday, working=True, holiday=None, makeup=True, override=None)
        assert f"{day_text(saturday)}: {esc(reason_text(makeup))}" in lines
        declared = Override(date(2026, 8, 29), "workday", HOSTILE_NOTE)
        declared_reason = reason_text(SpecialDay(declared.day, True, None, False, declared))
        declared_line = f"{day_text(declared.day)}: {esc(declared_reason)}"
        assert declared_line in lines
        assert "&lt;b&gt;Làm bù&lt;/b&gt; &amp; họp" in declared_line
        assert f"{day_text(friday)}: {_('day off declared by the office')}" in lines
        assert any(line.startswith(day_text(date(2026, 8, 31))) for line in lines)
        assert any(line.startswith(day_text(date(2026, 9, 2))) for line in lines)
        assert not any(line.startswith(day_text(date(2026, 8, 23))) for line in lines)  # just a Sunday
        assert removed["text"] == _("Removed the office's change: {day} is a working day again.").format(
            day=day_text(thursday)
        )
        assert nothing["text"] == _("The office has not changed {day}; nothing to remove.").format(
            day=day_text(thursday)
        )
    async with harness.database.unit_of_work() as session:
        admin = await by_telegram(session, ADMIN.id)
        rows = (await session.scalars(select(CalendarOverride).order_by(CalendarOverride.day))).all()
    assert admin is not None and {r.created_by_id for r in rows} == {admin.id}
    assert [(r.day, r.kind, r.note) for r in rows] == [
        (friday, "off", None),
        (date(2026, 8, 29), "workday", HOSTILE_NOTE),
    ]
    admin_help = await harness.say(ADMIN, "/help")
    with use_locale("vi"):
        assert _("/calendar: working days, days off and make-up days") in admin_help["text"]


async def test_officials_and_strangers_cannot_change_the_calendar(harness: BotHarness) -> None:
    async with harness.database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
    await harness.join(LAN, "0912000004")
    refused = await harness.say(LAN, "/calendar off 01/09/2026")
    stranger = await harness.say(STRANGER, "/calendar off 01/09/2026")
    with use_locale("vi"):
        assert refused["text"] == _("This command is for administrators only.")
    with use_locale("en"):
        assert stranger["text"] == _(
            "Hello! This bot is for officials of offices that run the friendly-office pledge.\n\n"
            "To join, open /start and share your phone number: it must be on your office's staff list. "
            "If you are not on the list, ask your unit head or the office for an invite link."
        )
    assert await overrides(harness) == []
