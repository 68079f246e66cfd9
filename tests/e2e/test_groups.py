"""Unit group chats through the real bot: added to a group it says how to link it; who may link, move and
unlink; /groupreport and the weekly aggregate in the group; removed, the link goes. Nothing said in the group
names a person."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from compliance.reports.weekly import plan_weekly_summaries
from handlers.i18n import _, use_locale
from handlers.views.groups import how_to_link
from storage.engine import Database
from storage.models import Role, Unit
from storage.models_broadcast import AuditEntry, UnitGroup
from tests.factories import FakeUser, bot_membership, by_telegram, group_chat, message
from tests.harness import BotHarness
from tests.staff_files import OFFICE
from tests.test_reports import WEEK

ADMIN = BotHarness.ADMIN
HOA = FakeUser(300, "Hoa", "Lê", "vi")  # head of Văn phòng
CHAU = FakeUser(301, "Châu", "Phạm", "vi")  # official of Văn phòng
HUY = FakeUser(303, "Huy", "Đỗ", "vi")  # made head of the sibling Phòng Quản lý vận tải below
GROUP_ID = -1001234
GROUP = group_chat(GROUP_ID, "Văn phòng Sở GTVT")
NAMES = [str(row[0]) for row in OFFICE] + [f"{u.first_name} {u.last_name}" for u in (ADMIN, HOA, CHAU, HUY)]


async def _codes(database: Database, *names: str) -> list[str]:
    async with database.unit_of_work() as session:
        return [str(await session.scalar(select(Unit.code).where(Unit.name == name))) for name in names]


async def _link(database: Database) -> tuple[str | None, bool | None]:
    async with database.unit_of_work() as session:
        row = await session.scalar(select(UnitGroup).where(UnitGroup.chat_id == GROUP_ID))
        if row is None:
            return None, None
        unit = await session.get(Unit, row.unit_id)
        assert unit is not None
        return unit.name, row.weekly_summary


async def _in_group(harness: BotHarness, user: FakeUser, text: str) -> dict[str, Any]:
    return await harness.send(message(user, text, chat=GROUP), to_chat=GROUP_ID)


def vi(text: str) -> str:
    with use_locale("vi"):
        return _(text)


async def test_a_unit_group_is_linked_moved_reported_and_dropped(
    office: Database, harness: BotHarness
) -> None:
    server = harness.server
    vp, qlvt = await _codes(office, "Văn phòng", "Phòng Quản lý vận tải")
    async with office.unit_of_work() as session:
        huy = await by_telegram(session, HUY.id)
        assert huy is not None
        huy.role = Role.HEAD

    # Hoa adds the bot: it says, in the office's language, how to link the group.
    hello = await harness.send(bot_membership(HOA, GROUP), to_chat=GROUP_ID)
    with use_locale("vi"):
        assert hello["text"] == how_to_link() and hello["text"].count("/groupreport on") == 1
    with use_locale("en"):
        assert hello["text"] != how_to_link() and "/linkgroup" in hello["text"]
    assert await _link(office) == (None, None)

    # An official cannot link it.
    refused = await _in_group(harness, CHAU, "/linkgroup")
    assert refused["text"] == vi("This command is for unit heads and administrators only.")
    assert refused["text"] != "This command is for unit heads and administrators only."
    # The head links it to her own unit, addressing the bot by name.
    linked = await _in_group(harness, HOA, "/linkgroup@camket_test_bot")
    assert "Văn phòng" in linked["text"] and vp in linked["text"]
    assert await _link(office) == ("Văn phòng", False)

    # A command for another bot is not ours: the next answer is to the command after it.
    await server.inject(message(HOA, "/unlinkgroup@some_other_bot", chat=GROUP))
    on = await _in_group(harness, HOA, "/groupreport on")
    assert on["text"] == vi(
        "Every week the unit's figures (counts and percentages, never names) will be posted here. "
        "Turn it off with /groupreport off."
    )
    assert await _link(office) == ("Văn phòng", True)

    # The head of a sibling unit can neither take the group over nor point it at her unit.
    for attempt in (
        "/linkgroup",
        f"/linkgroup {qlvt}",
        f"/linkgroup {vp}",
        "/unlinkgroup",
        "/groupreport off",
    ):
        answer = await _in_group(harness, HUY, attempt)
        assert answer["text"] in (
            vi("Only the unit's head or an administrator can link this group to that unit."),
            vi("Only the head of the linked unit or an administrator can do this."),
        ), attempt
    assert await _link(office) == ("Văn phòng", True)

    # The week's aggregate reaches the group: counts and percentages of the unit, no names.
    async with office.unit_of_work() as session:
        await plan_weekly_summaries(session, week=WEEK + timedelta(days=7))
    before = len(server.sent[GROUP_ID])
    harness.app.bot_data.outbox_wakeup.set()  # type: ignore[union-attr]
    weekly = await harness.next_to(GROUP_ID, after=before)
    assert "Văn phòng" in weekly["text"] and "50" in weekly["text"]  # half of the unit signed
    assert vi("Joined the bot: {n}/{total}").format(n=2, total=2) in weekly["text"]

    # The head unlinks it; an admin must name the unit, then links it elsewhere.
    unlinked = await _in_group(harness, HOA, "/unlinkgroup")
    assert "Văn phòng" in unlinked["text"]
    assert await _link(office) == (None, None)
    ask_code = await _in_group(harness, ADMIN, "/linkgroup")
    assert ask_code["text"] == vi("Give the unit's code: /linkgroup UNIT_CODE")
    unknown = await _in_group(harness, ADMIN, "/linkgroup khong-co")
    assert unknown["text"] == vi("Unit not found: {code}.").format(code="khong-co")
    await _in_group(harness, ADMIN, f"/linkgroup {qlvt}")
    assert await _link(office) == ("Phòng Quản lý vận tải", False)

    # Removed from the group, the link goes; added again, the bot explains again and links nothing.
    await server.inject(bot_membership(ADMIN, GROUP, old="member", new="kicked"))
    again = await harness.send(bot_membership(HOA, GROUP), to_chat=GROUP_ID)
    assert again["text"] == hello["text"]
    assert await _link(office) == (None, None)

    async with office.unit_of_work() as session:
        actions = (
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.subject == f"group:{GROUP_ID}")
                .order_by(AuditEntry.id)
            )
        ).all()
    assert actions == [
        "group.link",
        "group.weekly_summary",
        "group.unlink",
        "group.link",
        "group.bot_removed",
    ]
    for text in server.texts_to(GROUP_ID):
        assert not any(name in text for name in NAMES), text


async def test_group_commands_in_a_private_chat_point_to_the_group(
    office: Database, harness: BotHarness
) -> None:
    answer = await harness.say(HOA, "/linkgroup")
    assert answer["text"] == vi(
        "This command works in the unit's group chat: add me to the group and send it there."
    )
    async with office.unit_of_work() as session:
        assert await session.scalar(select(UnitGroup)) is None


async def test_the_link_follows_a_group_upgraded_to_a_supergroup(
    office: Database, harness: BotHarness
) -> None:
    old_group = group_chat(-4001, "Văn phòng", kind="group")
    await harness.send(message(HOA, "/linkgroup", chat=old_group), to_chat=-4001)
    await harness.server.inject(message(HOA, chat=old_group, migrate_to_chat_id=-1004001))
    # Updates of one chat are handled in order: once this is answered, the upgrade has been handled.
    answer = await harness.send(message(HOA, "/groupreport", chat=old_group), to_chat=-4001)
    assert answer["text"] == vi(
        "This group is not linked to a unit yet. The unit's head can link it with /linkgroup."
    )
    async with office.unit_of_work() as session:
        row = await session.scalar(select(UnitGroup))
        assert row is not None and row.chat_id == -1004001
