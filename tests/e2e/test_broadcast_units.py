"""Choosing a plan update's units with buttons: the tree, several units ticked, who will not receive it,
and presses that reach outside the sender's units refused (the buttons are never trusted)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from handlers.i18n import _, use_locale
from storage.engine import Database
from storage.models import Unit
from tests.factories import FakeUser, buttons, press
from tests.harness import BotHarness

ADMIN = BotHarness.ADMIN
HOA = FakeUser(300, "Hoa", "Lê", "vi")  # head of Văn phòng, in the shared office


async def _ids(database: Database) -> dict[str, int]:
    async with database.unit_of_work() as session:
        return {name: unit_id for unit_id, name in (await session.execute(select(Unit.id, Unit.name))).all()}


async def _open_picker(harness: BotHarness, user: FakeUser) -> dict[str, Any]:
    await harness.say(user, "/broadcast")
    ask_file = await harness.say(user, "Họp giao ban")
    targets = await harness.send(press(user, ask_file, "bc:skip"), to_chat=user.id)
    return await harness.send(press(user, targets, "bc:t:units"), to_chat=user.id)


def _data(shown: dict[str, Any], label_part: str) -> str:
    return str(next(b["callback_data"] for b in buttons(shown) if label_part in b["text"]))


async def _alert(harness: BotHarness, user: FakeUser, shown: dict[str, Any], data: str) -> str:
    calls = len(harness.server.calls)
    await harness.server.inject(press(user, shown, data))
    answer = await harness.server.wait_for(
        lambda: next((c for c in harness.server.calls[calls:] if c.method == "answerCallbackQuery"), None)
    )
    assert answer.params.get("show_alert") in (True, "true", "True")
    return str(answer.params.get("text") or "")


async def test_an_admin_ticks_units_in_the_tree_and_sees_who_will_not_receive_it(
    office: Database, harness: BotHarness
) -> None:
    ids = await _ids(office)
    picker = await _open_picker(harness, ADMIN)
    with use_locale("vi"):
        assert _("Nothing chosen yet.") in picker["text"]
        assert await _alert(harness, ADMIN, picker, "bc:u:ok") == _("Choose at least one unit first.")
    # Into the Sở, then tick Văn phòng and Phòng Quản lý vận tải: two units at once.
    level = await harness.send(press(ADMIN, picker, f"bc:u:o:{ids['Sở GTVT']}:0"), to_chat=ADMIN.id)
    level = await harness.send(press(ADMIN, level, _data(level, "Văn phòng")), to_chat=ADMIN.id)
    level = await harness.send(press(ADMIN, level, _data(level, "Phòng Quản lý vận tải")), to_chat=ADMIN.id)
    ticked = {b["text"] for b in buttons(level) if b["text"].startswith("✅")}
    assert ticked == {"✅ Văn phòng", "✅ Phòng Quản lý vận tải"}
    with use_locale("vi"):
        assert _("Recipients: {n}.").format(n=4) in level["text"]
        missing = _("{n} of the officials of these units have not joined the bot: they will not receive it.")
    assert missing.format(n=1) not in level["text"]
    # The Sở as a whole adds its director, who has not joined: said, with the count.
    whole = await harness.send(press(ADMIN, level, _data(level, "Sở GTVT")), to_chat=ADMIN.id)
    assert missing.format(n=1) in whole["text"]
    untick = await harness.send(press(ADMIN, whole, _data(whole, "Sở GTVT")), to_chat=ADMIN.id)
    before = len(harness.server.sent[ADMIN.id])
    await harness.server.inject(press(ADMIN, untick, "bc:u:ok"))
    when = await harness.server.wait_for(
        lambda: next(
            (
                m
                for m in harness.server.sent[ADMIN.id][before:]
                if any(b["callback_data"] == "bc:w:now" for b in buttons(m))
            ),
            None,
        )
    )
    ack = await harness.send(press(ADMIN, when, "bc:w:now"), to_chat=ADMIN.id)
    before = len(harness.server.sent[ADMIN.id])
    await harness.server.inject(press(ADMIN, ack, "bc:a:0"))
    with use_locale("vi"):
        summary = _("Recipients: <b>{n}</b>. Sending: {when}. Confirmation asked: {ack}.").format(
            n=4, when=_("now"), ack=_("no")
        )
    await harness.server.wait_for(lambda: summary in harness.server.texts_to(ADMIN.id)[before:])


async def test_a_heads_picker_stays_within_her_units(office: Database, harness: BotHarness) -> None:
    harness.server.known_chats.add(HOA.id)
    ids = await _ids(office)
    picker = await _open_picker(harness, HOA)
    # She starts at her own unit, with no way up to the Sở.
    assert any("Văn phòng" in b["text"] for b in buttons(picker))
    assert not any("Sở GTVT" in b["text"] for b in buttons(picker))
    with use_locale("vi"):
        outside = _("You can only send to your own unit and the units below it.")
    forged_tick = f"bc:u:t:{ids['Phòng Quản lý vận tải']}:{ids['Văn phòng']}:0"
    assert await _alert(harness, HOA, picker, forged_tick) == outside
    assert await _alert(harness, HOA, picker, f"bc:u:o:{ids['Sở GTVT']}:0") == outside
    # Nothing was added by the forged press: "Done" still has nothing to send to.
    with use_locale("vi"):
        assert await _alert(harness, HOA, picker, "bc:u:ok") == _("Choose at least one unit first.")
