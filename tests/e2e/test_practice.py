"""Daily practice through the real bot: the tick plans, the dispatcher sends, officials answer."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from compliance.office.staff_import import import_staff
from compliance.pledge import signing as pledges
from compliance.practice.planner import tick
from handlers.i18n import _, use_locale
from storage.models_practice import DailyReminder, ReminderMute, SelfCheck
from tests.e2e.test_signing import HUY, LAN, sign
from tests.factories import buttons, press
from tests.harness import BotHarness
from tests.pledge_files import template
from tests.staff_files import OFFICE, xlsx_bytes

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = date(2026, 11, 23)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), VN)


async def ticked(harness: BotHarness, moment: datetime) -> None:
    """The process's clock moves to `moment` (what people press next happens then too), and the tick runs."""
    harness.clock.move_to(moment)
    async with harness.database.unit_of_work() as session:
        await tick(session, now=moment)
    assert harness.app is not None
    harness.app.bot_data.outbox_wakeup.set()


async def joined_office(harness: BotHarness) -> None:
    async with harness.database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        await pledges.publish(
            session,
            template=template(),
            unit=None,
            material=False,
            publisher_id=None,
            now=at(MONDAY, 0) - timedelta(days=1),
        )
    for user, phone in ((LAN, "0912000004"), (HUY, "0912000005")):
        await harness.join(user, phone)


async def next_new(harness: BotHarness, chat: int, before: int) -> dict[str, Any]:
    await harness.server.wait_for(lambda: len(harness.server.messages_to(chat)) > before)
    return harness.server.messages_to(chat)[before]


async def test_reminders_are_sent_and_read(harness: BotHarness) -> None:
    await joined_office(harness)
    await sign(harness, LAN, "Nguyễn Thị Lan")
    lan_before, huy_before = len(harness.server.messages_to(LAN.id)), len(harness.server.messages_to(HUY.id))
    await ticked(harness, at(MONDAY, 7, 46))
    lan = await next_new(harness, LAN.id, lan_before)
    huy = await next_new(harness, HUY.id, huy_before)
    with use_locale("vi"):
        assert lan["text"].startswith(_("<b>Today's pledge item</b> (no. {number}):\n{item}")[:10])
    assert "/pledge" in huy["text"] and not buttons(huy)  # Huy has not signed: asked to sign instead
    read = next(b for b in buttons(lan) if b["callback_data"].startswith("rd:"))
    await harness.send(press(LAN, lan, read["callback_data"]), to_chat=LAN.id)
    # Huy pressing Lan's forwarded button records nothing for either of them.
    await harness.server.inject(press(HUY, lan, read["callback_data"]))
    async with harness.database.unit_of_work() as session:
        rows = {r.official_id: r.read_at for r in (await session.scalars(select(DailyReminder))).all()}
    assert sorted(v is not None for v in rows.values()) == [False, True]


async def answered_self_check(harness: BotHarness, answers: tuple[str, ...]) -> dict[str, Any]:
    """Lan opens Friday's self-check from its prompt and answers the items one by one (y / p / n) in
    the same message; the sheet as it stands after the last answer."""
    friday = MONDAY + timedelta(days=4)
    before = len(harness.server.messages_to(LAN.id))
    await ticked(harness, at(friday, 14, 1))  # also sends that day's reminder, late but once

    def self_check_prompt() -> dict[str, Any] | None:
        return next(
            (
                m
                for m in harness.server.messages_to(LAN.id)[before:]
                if any(b.get("callback_data", "").startswith("sc:open:") for b in buttons(m))
            ),
            None,
        )

    prompt = await harness.server.wait_for(self_check_prompt)
    start = next(b for b in buttons(prompt) if b["callback_data"].startswith("sc:open:"))
    sheet = await harness.send(press(LAN, prompt, start["callback_data"]), to_chat=LAN.id)
    for answer in answers:
        choice = next(b for b in buttons(sheet) if b["callback_data"].endswith(f":{answer}"))
        sheet = await harness.send(press(LAN, sheet, choice["callback_data"]), to_chat=LAN.id)
        assert sheet["_method"] == "editMessageText"
    return sheet


async def test_the_weekly_self_check_through_the_chat(harness: BotHarness) -> None:
    await joined_office(harness)
    sheet = await answered_self_check(harness, ("y", "p", "n"))  # three items
    with use_locale("vi"):
        assert _("✅ Completed. Thank you!") in sheet["text"]
    async with harness.database.unit_of_work() as session:
        check = await session.scalar(select(SelfCheck).where(SelfCheck.status != "open"))
        assert (
            check is not None
            and check.status == "done"
            and sorted(check.answers.values()) == ["no", "partly", "yes"]
        )


async def test_mute_for_leave(harness: BotHarness) -> None:
    await joined_office(harness)
    refused = await harness.say(LAN, "/mute someday")
    assert "/mute" in refused["text"]
    too_far = await harness.say(LAN, "/mute 31/12/2099")
    assert "/mute off" in too_far["text"]  # the usage again: more than 180 days is refused
    async with harness.database.unit_of_work() as session:
        assert (await session.scalars(select(ReminderMute))).all() == []  # more than 180 days: refused
    in_ten_days = harness.clock.now().astimezone(VN).date() + timedelta(days=10)
    muted = await harness.say(LAN, f"/mute {in_ten_days:%d/%m/%Y}")
    async with harness.database.unit_of_work() as session:
        rows = (await session.scalars(select(ReminderMute))).all()
    assert len(rows) == 1 and "/mute off" not in muted["text"]
    back = await harness.say(LAN, "/mute off")
    with use_locale("vi"):
        assert back["text"] == _("Daily reminders are on again.")
