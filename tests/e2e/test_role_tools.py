"""Heads and admins find their tools: /help per role and the command menus from one table, menus that
follow role changes, refusals that say who may, answers in groups, and files the bot does not read."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from telegram import BotCommandScopeChat

from compliance.office.staff_import import import_staff
from handlers.commands import COMMANDS, Access, Where, access_of
from handlers.i18n import _, use_locale
from storage.engine import Database
from storage.models import Official, OfficialStatus, OutboxMessage, Role
from tests.factories import FakeUser, document, link_telegram, message, press
from tests.harness import BotHarness
from tests.staff_files import OFFICE, xlsx_bytes

ADMIN = BotHarness.ADMIN
HOA = FakeUser(4201, "Hoa", "Lê", "vi")  # head of Văn phòng
LAN = FakeUser(4202, "Lan", "Nguyễn", "en")  # official
GROUP_ID = -100420
GROUP: dict[str, Any] = {"id": GROUP_ID, "type": "supergroup", "title": "Văn phòng"}
HEADS_TOOLS = {"report", "invite", "pending", "units", "ceremony", "broadcast", "broadcasts"}


async def seed(harness: BotHarness, rows: Sequence[Sequence[object]] | None = None) -> None:
    async with harness.database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(rows or OFFICE))


async def join(harness: BotHarness) -> None:
    await harness.join(HOA, "0912000002")
    await harness.join(LAN, "0912000004")


def mentions(text: str, command: str) -> bool:
    return re.search(rf"/{command}(?![a-z_])", text) is not None


async def test_help_lists_every_command_each_role_may_use(harness: BotHarness) -> None:
    await seed(harness)
    await join(harness)
    for user, role in ((LAN, Role.OFFICIAL), (HOA, Role.HEAD), (ADMIN, Role.ADMIN)):
        text = (await harness.say(user, "/help"))["text"]
        for command in COMMANDS:
            assert mentions(text, command.name) == (command.access <= access_of(role)), (role, command.name)
    head_help = (await harness.say(HOA, "/help"))["text"]
    admin_help = (await harness.say(ADMIN, "/help"))["text"]
    assert all(mentions(head_help, c) for c in ("broadcast", "broadcasts"))
    assert all(mentions(admin_help, c) for c in ("broadcast", "broadcasts", "unlinkgroup", "addunit"))


async def test_menus_per_role_follow_joins_imports_and_sethead(harness: BotHarness) -> None:
    server = harness.server
    await seed(harness)
    await join(harness)
    # Hoa's own menu is set when she joins; Lan, an official, keeps the default one.
    await server.wait_for(lambda: server.chat_menu(HOA.id, "en") is not None)
    assert set(server.chat_menu(HOA.id, "vi") or []) >= HEADS_TOOLS
    assert server.chat_menu(LAN.id) is None
    assert "broadcast" not in (server.menu({"type": "all_private_chats"}) or [])
    # Read back as a client would, with getMyCommands: each language in its own words.
    assert harness.app is not None
    english = await harness.app.bot.get_my_commands(scope=BotCommandScopeChat(HOA.id), language_code="en")
    vietnamese = await harness.app.bot.get_my_commands(scope=BotCommandScopeChat(HOA.id), language_code="vi")
    assert {c.command: c.description for c in english}["broadcast"] == "Send a plan update"
    with use_locale("vi"):
        assert {c.command: c.description for c in vietnamese}["broadcast"] == _("Send a plan update")
    assert "import" not in {c.command for c in english}  # what a head is refused is not offered
    # A re-import makes her an official: her menu goes (through the outbox), the default applies again.
    demoted = [row if row[0] != "Lê Thị Hoa" else [*row[:5], "cán bộ"] for row in OFFICE]
    await seed(harness, demoted)
    await server.wait_for(lambda: server.chat_menu(HOA.id) is None and server.chat_menu(HOA.id, "en") is None)
    # /sethead gives it back.
    await harness.say(ADMIN, "/sethead van-phong 0912000002")
    await server.wait_for(lambda: set(server.chat_menu(HOA.id, "en") or []) >= HEADS_TOOLS)
    # Her menu's fallback (no language) follows the language she chooses in the bot.
    languages = await harness.say(HOA, "/lang")
    await harness.send(press(HOA, languages, "lang:en"), to_chat=HOA.id)

    def fallback_says() -> str:
        commands = server.commands.get(f"{json.dumps({'chat_id': HOA.id, 'type': 'chat'}, sort_keys=True)}|")
        return next((c["description"] for c in commands or [] if c["command"] == "broadcast"), "")

    await server.wait_for(lambda: fallback_says() == "Send a plan update")


async def test_refusals_name_who_may(harness: BotHarness) -> None:
    await seed(harness)
    await join(harness)
    with use_locale("vi"):
        admins_only = _("This command is for administrators only.")
    for command in ("/schedule", "/audit", "/calendar", "/admin", "/import", "/erase 0912000004"):
        assert (await harness.say(HOA, command))["text"] == admins_only, command
    with use_locale("en"):
        managers = _("This command is for unit heads and administrators only.")
        officials_file = _(
            "I do not read files from officials: staff lists and pledge templates are sent by "
            "administrators. Type /help to see what you can do."
        )
        staff_list = _("Only administrators can import the staff list.")
    assert (await harness.say(LAN, "/invite"))["text"] == managers
    notes = harness.server.add_file("ghi-chu.txt", b"notes")
    assert (await harness.send(document(LAN, notes), to_chat=LAN.id))["text"] == officials_file
    listing = harness.server.add_file("ds.xlsx", xlsx_bytes(OFFICE))
    assert (await harness.send(document(LAN, listing), to_chat=LAN.id))["text"] == staff_list
    with use_locale("vi"):
        heads_file = _(
            "I cannot use this file here. To send it with a plan update, start with /broadcast. "
            "Staff lists and pledge templates are sent by administrators."
        )
        admins_file = _(
            "I cannot use this file. Send the staff list as .xlsx or .csv, or a pledge template as .yaml. "
            "To attach a file to a plan update, start with /broadcast."
        )
    assert (await harness.send(document(HOA, notes), to_chat=HOA.id))["text"] == heads_file
    assert (await harness.send(document(ADMIN, notes), to_chat=ADMIN.id))["text"] == admins_file


async def test_groups_get_their_help_and_a_pointer_for_private_commands(harness: BotHarness) -> None:
    await seed(harness)
    await join(harness)
    harness.server.known_chats.add(GROUP_ID)

    async def in_group(user: FakeUser, text: str) -> dict[str, Any]:
        return await harness.send(message(user, text, chat=GROUP), to_chat=GROUP_ID)

    help_text = (await in_group(LAN, "/help"))["text"]
    group_commands = {c.name for c in COMMANDS if Where.GROUP in c.where}
    assert group_commands == {"help", "ceremony", "linkgroup", "unlinkgroup", "groupreport"}
    assert all(mentions(help_text, name) for name in group_commands)
    assert not mentions(help_text, "mydata")
    with use_locale("en"):
        private = _("This command works in a private chat with me: @{bot}").format(bot="camket_test_bot")
    assert (await in_group(LAN, "/me"))["text"] == private
    with use_locale("vi"):
        private = _("This command works in a private chat with me: @{bot}").format(bot="camket_test_bot")
    assert (await in_group(HOA, "/report"))["text"] == private
    # A command above the sender's role is refused in the group as in private, naming who may.
    with use_locale("en"):
        assert (await in_group(LAN, "/linkgroup"))["text"] == _(
            "This command is for unit heads and administrators only."
        )


def test_the_gate_and_the_menus_read_one_table() -> None:
    from handlers.telegram.commands import menu
    from handlers.telegram.gate import COMMAND_ACCESS

    assert {c.name: c.access for c in COMMANDS} == COMMAND_ACCESS
    for role in (Role.OFFICIAL, Role.HEAD, Role.ADMIN):
        with use_locale("en"):
            offered = {c.command for c in menu(role)}
        assert all(COMMAND_ACCESS[name] <= access_of(role) for name in offered), role
    with use_locale("en"):
        assert {c.command for c in menu(Role.HEAD)} - {
            c.command for c in menu(Role.OFFICIAL)
        } >= HEADS_TOOLS - {"report"}
    assert access_of(Role.HEAD) == Access.MANAGER


async def test_heads_who_joined_before_get_their_menu_at_start_once(database: Database) -> None:
    """Heads already in the bot when it starts (an upgrade, a restart) get their menu through the outbox,
    once per version of the menus: a second start plans nothing again."""
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        hoa = await session.scalar(select(Official).where(Official.full_name == "Lê Thị Hoa"))
        assert hoa is not None
        hoa.status, hoa.locale = OfficialStatus.ACTIVE, "vi"
        await link_telegram(session, hoa, HOA.id)
    for start in (1, 2):
        harness = BotHarness(database, admin_ids=frozenset({ADMIN.id}))
        harness.server.known_chats.add(HOA.id)  # she has written to the bot before
        await harness.start()
        try:
            if start == 1:
                server = harness.server
                await server.wait_for(lambda: set(server.chat_menu(HOA.id) or []) >= HEADS_TOOLS)  # noqa: B023
            else:
                await harness.settle_outbox()
                assert harness.server.chat_menu(HOA.id) is None  # this server never saw a menu set
        finally:
            await harness.stop()
    async with database.unit_of_work() as session:
        rows = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "command_menu"))
        ).all()
    assert [(r.address, r.payload, r.status) for r in rows] == [(str(HOA.id), {"role": "head"}, "sent")]
