"""Authorization as a table: for every command and every button family, each role is allowed or refused.

The expected table is written out here, not derived from telegram/gate.py: it pins the policy. A command
or button prefix added to the gate without a row here fails the first test, so every new one is decided
on purpose. Refusals are observed through the real Application (the gate's answer, or the feature's
"not allowed" for an object of another unit), and a refused input must leave the database unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import select, update

from compliance.broadcasts import sending as broadcasts
from compliance.broadcasts.sending import Draft, Target, TargetKind
from compliance.office import groups, joining
from compliance.office.accounts import ChannelUser
from compliance.office.staff_uploads import preview_upload
from compliance.office.units import get_unit_by_code
from compliance.pledge import ceremonies
from handlers.commands import Access
from handlers.i18n import _, use_locale
from handlers.telegram.gate import CALLBACK_ACCESS, COMMAND_ACCESS
from storage.clock import utcnow
from storage.engine import Database
from storage.models import JoinRequest, Official, OfficialStatus, OutboxMessage, Unit
from tests.db_snapshot import changed_tables, snapshot
from tests.roles import (
    GROUP_CHAT,
    ROLES,
    OfficeBot,
    callback_update,
    message_update,
    office_bot,
)
from tests.staff_files import xlsx_bytes

Y, N = True, False
ORDER = ("unknown", "official", "head", "sibling_head", "admin")

# command -> (what is sent, in which chat, allowed for unknown / official / head / sibling head / admin)
# "head" heads the unit the object belongs to (Văn phòng); "sibling_head" heads Phòng Quản lý vận tải.
COMMANDS: dict[str, tuple[str, str, tuple[bool, bool, bool, bool, bool]]] = {
    "start": ("/start", "private", (Y, Y, Y, Y, Y)),
    "help": ("/help", "private", (Y, Y, Y, Y, Y)),
    "cancel": ("/cancel", "private", (Y, Y, Y, Y, Y)),
    "me": ("/me", "private", (N, Y, Y, Y, Y)),
    "lang": ("/lang", "private", (N, Y, Y, Y, Y)),
    "mydata": ("/mydata", "private", (N, Y, Y, Y, Y)),
    # Only asks to confirm: nothing is withdrawn until the button.
    "withdraw": ("/withdraw", "private", (N, Y, Y, Y, Y)),
    "web": ("/web", "private", (N, Y, Y, Y, Y)),
    "pledge": ("/pledge", "private", (N, Y, Y, Y, Y)),
    "mypledge": ("/mypledge", "private", (N, Y, Y, Y, Y)),
    "quiz": ("/quiz", "private", (N, Y, Y, Y, Y)),
    "checkin": ("/checkin", "private", (N, Y, Y, Y, Y)),
    "report": ("/report", "private", (N, Y, Y, Y, Y)),
    "mute": ("/mute off", "private", (N, Y, Y, Y, Y)),
    # An invite to Văn phòng: its head and admins only; the sibling head is refused by the object check.
    "invite": ("/invite van-phong", "private", (N, N, Y, N, Y)),
    "ceremony": ("/ceremony", "private", (N, N, Y, Y, Y)),
    "import": ("/import", "private", (N, N, N, N, Y)),
    "calendar": ("/calendar", "private", (N, N, N, N, Y)),
    "schedule": ("/schedule", "private", (N, N, N, N, Y)),
    "erase": ("/erase 0912000004", "private", (N, N, N, N, Y)),
    # Each head browses their own subtree; changing the tree is for admins (the last two change nothing).
    "units": ("/units", "private", (N, N, Y, Y, Y)),
    "addunit": ("/addunit van-phong to-kiem-tra Tổ kiểm tra", "private", (N, N, N, N, Y)),
    "renameunit": ("/renameunit to-kiem-tra Tổ kiểm tra 2", "private", (N, N, N, N, Y)),
    "moveunit": ("/moveunit van-phong so-gtvt", "private", (N, N, N, N, Y)),
    "sethead": ("/sethead van-phong 0912000002", "private", (N, N, N, N, Y)),
    "admin": ("/admin", "private", (N, N, N, N, Y)),
    "audit": ("/audit", "private", (N, N, N, N, Y)),
    # Broadcasts within one's reach (a head their subtree); each head lists the ones they may manage.
    "broadcast": ("/broadcast", "private", (N, N, Y, Y, Y)),
    "broadcasts": ("/broadcasts", "private", (N, N, Y, Y, Y)),
    "pending": ("/pending", "private", (N, N, Y, Y, Y)),
    # Checking a receipt's code against the ledger: any head (a receipt may come from any unit), admins.
    "verify": ("/verify 00000-00000", "private", (N, N, Y, Y, Y)),
    # In Văn phòng's group chat (linked to it before each try): its head and admins; the sibling head is
    # refused by the object check, strangers are not answered in a group at all.
    "linkgroup": ("/linkgroup van-phong", "group", (N, N, Y, N, Y)),
    "unlinkgroup": ("/unlinkgroup", "group", (N, N, Y, N, Y)),
    "groupreport": ("/groupreport on", "group", (N, N, Y, N, Y)),
}


async def _link_the_group_to_this_unit(bot: OfficeBot) -> None:
    async with bot.database.unit_of_work() as session:
        unit = await get_unit_by_code(session, "van-phong")
        assert unit is not None
        chat_id, title = int(GROUP_CHAT["id"]), str(GROUP_CHAT["title"])
        await groups.link(session, actor=bot.actors["admin"], chat_id=chat_id, title=title, unit=unit)


# What must hold before each try of a command (the object it acts on), and what ends it afterwards.
BEFORE: dict[str, Callable[[OfficeBot], Awaitable[None]]] = {
    "unlinkgroup": _link_the_group_to_this_unit,
    "groupreport": _link_the_group_to_this_unit,
}
AFTER = {"broadcast": "/cancel", "pledge": "/cancel"}

Sample = Callable[[OfficeBot, str], Awaitable[str]]
_fresh = itertools.count(1)


async def _join_request_of_this_unit(bot: OfficeBot, role: str) -> str:
    """A pending join request to Văn phòng, new for each press (an approval is final)."""
    async with bot.database.unit_of_work() as session:
        unit = await get_unit_by_code(session, "van-phong")
        assert unit is not None
        invite = await joining.create_invite(session, unit=unit, created_by=bot.actors["admin"])
        newcomer = 8_000_000 + next(_fresh)
        await joining.redeem_invite(
            session, code=invite.code, user=ChannelUser.telegram(newcomer), display_name="Mới", locale="vi"
        )
        assert await joining.submit_name(
            session, user=ChannelUser.telegram(newcomer), raw_name="Trần Văn Mới"
        ) is (joining.NameOutcome.SUBMITTED)
        row = await session.scalar(select(JoinRequest).where(JoinRequest.external_id == str(newcomer)))
        assert row is not None
        return f"jr:a:{row.id}"


async def _ceremony_of_this_unit(bot: OfficeBot, role: str) -> str:
    async with bot.database.unit_of_work() as session:
        view = await ceremonies.start(session, actor=bot.actors["head"], chat_id=ROLES["head"].id)
        assert view is not None
        return f"cer:end:{view.id}"


async def _admins_upload(bot: OfficeBot, role: str) -> str:
    async with bot.database.unit_of_work() as session:
        upload, _plan = await preview_upload(
            session, admin=bot.actors["admin"], file_name="ds.xlsx", content=xlsx_bytes([])
        )
        return f"imp:no:{upload.id}"


async def _erasure_of_a_leaver(bot: OfficeBot, role: str) -> str:
    async with bot.database.unit_of_work() as session:
        unit = await get_unit_by_code(session, "van-phong")
        assert isinstance(unit, Unit)
        n = next(_fresh)
        leaver = Official(
            full_name=f"Người Nghỉ {n}",
            name_key=f"người nghỉ {n}",
            unit_id=unit.id,
            phone=f"+8491300{n:04d}",
            status=OfficialStatus.INVITED,
        )
        session.add(leaver)
        await session.flush()
        return f"er:ok:{leaver.id}"


async def _this_units_level(bot: OfficeBot, role: str) -> str:
    async with bot.database.unit_of_work() as session:
        unit = await get_unit_by_code(session, "van-phong")
        assert unit is not None
        return f"un:u:{unit.id}:0"


async def _this_units_broadcast(bot: OfficeBot) -> int:
    """A plan update from Văn phòng's head to her unit, delivered: every copy is message 1 of its chat."""
    async with bot.database.unit_of_work() as session:
        draft = Draft(text="Kế hoạch", target=Target(TargetKind.ALL), send_at=utcnow(), requires_ack=True)
        sent = await broadcasts.create(session, actor=bot.actors["head"], draft=draft)
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.broadcast_id == sent.id)
            .values(status="sent", sent_at=utcnow(), channel_message_id="1")
        )
        return sent.id


async def _detail_of_this_units_broadcast(bot: OfficeBot, role: str) -> str:
    return f"bc:d:{await _this_units_broadcast(bot)}"


async def _acknowledgement_of_this_units_broadcast(bot: OfficeBot, role: str) -> str:
    return f"ack:{await _this_units_broadcast(bot)}"


def _fixed(data: str) -> Sample:
    async def sample(bot: OfficeBot, role: str) -> str:
        return data

    return sample


async def _first_pledge_button(bot: OfficeBot, role: str) -> str:
    """The first button of what /pledge shows this person (for myself / next part), or a made-up one."""
    shown = await bot.run(message_update(ROLES[role], "/pledge"))
    for call in shown.calls:
        keyboard = (call.params.get("reply_markup") or {}).get("inline_keyboard")
        if keyboard:
            return str(keyboard[0][0]["callback_data"])
    return "pl:who:me"


async def _same_language(bot: OfficeBot, role: str) -> str:
    return f"lang:{ROLES[role].language_code}"


# button prefix -> (the press, allowed for unknown / official / head / sibling head / admin)
CALLBACKS: dict[str, tuple[Sample, tuple[bool, bool, bool, bool, bool]]] = {
    "lang": (_same_language, (N, Y, Y, Y, Y)),
    "pl": (_first_pledge_button, (N, Y, Y, Y, Y)),
    "qz": (_fixed("qz:start:2026-11-16"), (N, Y, Y, Y, Y)),
    "rd": (_fixed("rd:2026-11-16"), (N, Y, Y, Y, Y)),
    "sc": (_fixed("sc:open:2026-11-16"), (N, Y, Y, Y, Y)),
    "rp": (_fixed("rp:p:week"), (N, N, Y, Y, Y)),
    # Approving a newcomer to Văn phòng: its head and admins; the sibling head is refused, nothing changes.
    "jr": (_join_request_of_this_unit, (N, N, Y, N, Y)),
    # Closing Văn phòng's ceremony: the same.
    "cer": (_ceremony_of_this_unit, (N, N, Y, N, Y)),
    "imp": (_admins_upload, (N, N, N, N, Y)),
    "pv": (_fixed("pv:x"), (N, N, N, N, Y)),
    "er": (_erasure_of_a_leaver, (N, N, N, N, Y)),
    # Văn phòng's level of /units: its head and admins; the sibling head is refused by the reach check.
    "un": (_this_units_level, (N, N, Y, N, Y)),
    "adm": (_fixed("adm:pledge"), (N, N, N, N, Y)),
    # Văn phòng's head's broadcast: she and admins see its detail; Châu and Hoa received it, so only they
    # can acknowledge it (the sibling head and the admin never got a copy).
    "bc": (_detail_of_this_units_broadcast, (N, N, Y, N, Y)),
    "ack": (_acknowledgement_of_this_units_broadcast, (N, Y, Y, N, N)),
    # Agreeing again to the notice one already agreed to, and cancelling a withdrawal, change nothing.
    "cs": (_fixed("cs:yes:1"), (N, Y, Y, Y, Y)),
    "wd": (_fixed("wd:no"), (N, Y, Y, Y, Y)),
}


@pytest.fixture
async def bot(database: Database) -> AsyncIterator[OfficeBot]:
    async with office_bot(database) as started:
        yield started


def test_every_command_and_button_of_the_gate_is_pinned_here() -> None:
    assert set(COMMAND_ACCESS) - set(COMMANDS) == set(), "decide who may use these commands, in COMMANDS"
    assert set(CALLBACK_ACCESS) - set(CALLBACKS) == set(), "decide who may press these buttons, in CALLBACKS"
    assert set(COMMANDS) - set(COMMAND_ACCESS) == set(), "commands pinned here but gone from the gate"
    assert set(CALLBACKS) - set(CALLBACK_ACCESS) == set(), "buttons pinned here but gone from the gate"


async def _observe(bot: OfficeBot, role: str, update: dict[str, object], label: str) -> bool:
    """Run one input and tell whether it was allowed; a refused one must change nothing."""
    user = ROLES[role]
    locale = user.language_code or "vi"
    before = await snapshot(bot.database)
    outcome = await bot.run(update)
    assert outcome.errors == [], f"{label} as {role}: {outcome.errors}"
    refused = outcome.refused(locale)
    if refused:
        assert changed_tables(before, await snapshot(bot.database)) == [], f"{label} as {role} changed rows"
    else:
        assert len(outcome.handlers) > 1, f"{label} as {role}: no feature handler ran"
    return not refused


async def test_commands(bot: OfficeBot) -> None:
    observed: dict[str, tuple[bool, ...]] = {}
    for command, (text, chat, _expected) in COMMANDS.items():
        row = []
        for role in ORDER:
            user = ROLES[role]
            if command in BEFORE:
                await BEFORE[command](bot)
            update = message_update(user, text, chat=GROUP_CHAT if chat == "group" else None)
            row.append(await _observe(bot, role, update, text))
            if command in AFTER:
                await bot.run(message_update(user, AFTER[command]))
        observed[command] = tuple(row)
    assert observed == {command: expected for command, (_t, _c, expected) in COMMANDS.items()}


async def test_buttons(bot: OfficeBot) -> None:
    observed: dict[str, tuple[bool, ...]] = {}
    for prefix, (sample, _expected) in CALLBACKS.items():
        row = []
        for role in ORDER:
            data = await sample(bot, role)
            row.append(await _observe(bot, role, callback_update(ROLES[role], data), data))
        observed[prefix] = tuple(row)
    assert observed == {prefix: expected for prefix, (_s, expected) in CALLBACKS.items()}


async def test_a_sibling_heads_report_names_nobody_of_this_unit(bot: OfficeBot) -> None:
    own = await bot.run(message_update(ROLES["head"], "/report"))
    sibling = await bot.run(message_update(ROLES["sibling_head"], "/report"))
    assert any("Phạm Minh Châu" in text for text in own.texts)  # the head sees her unit's lapses by name
    for name in ("Phạm Minh Châu", "Lê Thị Hoa", "Văn phòng"):
        assert not any(name in text for text in sibling.texts), name
    # The period buttons re-check the reader's unit on every press: still nothing of Văn phòng.
    pressed = await bot.run(callback_update(ROLES["sibling_head"], "rp:p:lastweek"))
    assert pressed.texts and not any("Phạm Minh Châu" in text for text in pressed.texts)


async def test_a_refusal_names_who_may(bot: OfficeBot) -> None:
    """The gate's answer says which roles may use the command: a head asking for an admin's command is
    told it is for administrators, not "for unit heads and administrators"."""
    with use_locale("vi"):
        admins = _("This command is for administrators only.")
    with use_locale("en"):
        managers_en = _("This command is for unit heads and administrators only.")
        admins_en = _("This command is for administrators only.")
    for command, (text, chat, _expected) in COMMANDS.items():
        if chat != "private":
            continue
        needed = COMMAND_ACCESS[command]
        head = await bot.run(message_update(ROLES["head"], text))
        official = await bot.run(message_update(ROLES["official"], text))  # Châu reads English
        if needed is Access.ADMIN:
            assert head.texts == [admins] and official.texts == [admins_en], command
        elif needed is Access.MANAGER:
            assert official.texts == [managers_en], command
        for role in ("head", "official"):
            if command in AFTER:
                await bot.run(message_update(ROLES[role], AFTER[command]))
    # Buttons too: an official pressing a head's button, a head pressing an admin's.
    with use_locale("en"):
        heads_button = _("Only unit heads and administrators can do this.")
    with use_locale("vi"):
        admins_button = _("Only administrators can do this.")
    assert (await bot.run(callback_update(ROLES["official"], "rp:p:week"))).answers == [heads_button]
    assert (await bot.run(callback_update(ROLES["head"], "adm:pledge"))).answers == [admins_button]
