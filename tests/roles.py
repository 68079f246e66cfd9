"""An office with one person of each role, and the real Application fed one update at a time.

`OfficeBot` builds the bot exactly as `python -m bot run` does, against the fake Bot API server, but with
no dispatcher, no jobs and no polling: a test hands it an update with process_update and, when that
returns, everything the update did is done (its replies sent, its transaction ended). That is what lets
the authorization table and the fuzzer compare the database before and after each input.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from telegram import Update
from telegram.ext import Application

from bot.application import build_application
from bot.settings import Settings
from compliance.office.officials import Actor, actor_of
from compliance.office.staff_import import import_staff
from compliance.pledge import signing as pledges
from handlers.i18n import _, use_locale
from storage.engine import Database
from storage.models import Official, OfficialStatus
from tests.consents import agree_all_linked
from tests.factories import FakeUser, by_telegram, link_telegram, message
from tests.fakes.botapi import Call, FakeBotApi
from tests.fakes.telegram_rules import chat_of
from tests.pledge_files import template
from tests.staff_files import xlsx_bytes

UNKNOWN = FakeUser(7001, "Người", "Lạ", "vi")
OFFICIAL = FakeUser(7002, "Châu", "Phạm", "en")  # Phạm Minh Châu, official of Văn phòng
HEAD = FakeUser(7003, "Hoa", "Lê", "vi")  # Lê Thị Hoa, head of Văn phòng ("this unit")
SIBLING_HEAD = FakeUser(7004, "Nam", "Vũ", "en")  # Vũ Văn Nam, head of Phòng Quản lý vận tải
ADMIN = FakeUser(900001, "Quản trị", "Văn phòng", "vi")
ROLES: dict[str, FakeUser] = {
    "unknown": UNKNOWN,
    "official": OFFICIAL,
    "head": HEAD,
    "sibling_head": SIBLING_HEAD,
    "admin": ADMIN,
}
GROUP_CHAT: dict[str, Any] = {"id": -1001234567890, "type": "supergroup", "title": "Văn phòng Sở GTVT"}

STAFF = [
    ["Lê Thị Hoa", "Chánh Văn phòng", "Sở GTVT / Văn phòng", "0912000002", "", "trưởng đơn vị"],
    ["Phạm Minh Châu", "Chuyên viên", "Sở GTVT / Văn phòng", "0912000003", "", "cán bộ"],
    ["Vũ Văn Nam", "Trưởng phòng", "Sở GTVT / Phòng Quản lý vận tải", "0912000006", "", "trưởng đơn vị"],
    ["Nguyễn Thị Lan", "Chuyên viên", "Sở GTVT / Phòng Quản lý vận tải", "0912000004", "", "cán bộ"],
]
LINKED = {"Lê Thị Hoa": HEAD, "Phạm Minh Châu": OFFICIAL, "Vũ Văn Nam": SIBLING_HEAD}


def joining_text() -> str:
    return _(
        "Hello! This bot is for officials of offices that run the friendly-office pledge.\n\n"
        "To join, open /start and share your phone number: it must be on your office's staff list. "
        "If you are not on the list, ask your unit head or the office for an invite link."
    )


def refusal_texts(locale: str) -> set[str]:
    """Every way the bot says no to a person, in one language."""
    with use_locale(locale):
        return {
            joining_text(),
            _("You are not allowed to do this."),
            _("This command is for unit heads and administrators only."),
            _("This command is for administrators only."),
            _("Only unit heads and administrators can do this."),
            _("Only administrators can do this."),
            _("You can only invite people to your own unit and the units below it."),
            _("This button is no longer valid."),
            _("This copy was not sent to you: nothing was recorded."),
            _("Only the unit's head or an administrator can link this group to that unit."),
            _("Only the head of the linked unit or an administrator can do this."),
        }


@dataclass
class Outcome:
    handlers: list[str]
    calls: list[Call]
    errors: list[logging.LogRecord]

    @property
    def texts(self) -> list[str]:
        """What was sent or edited (texts and captions), in order."""
        return [
            str(c.params.get("text") or c.params.get("caption") or "")
            for c in self.calls
            if c.method.startswith(("send", "edit"))
        ]

    @property
    def answers(self) -> list[str]:
        """The texts of the button presses' answers (an answer without text is "")."""
        return [str(c.params.get("text") or "") for c in self.calls if c.method == "answerCallbackQuery"]

    def said(self) -> list[str]:
        return self.texts + [a for a in self.answers if a]

    def refused(self, locale: str) -> bool:
        """The gate stopped it, or the person was told no."""
        refusals = refusal_texts(locale)
        return self.handlers in ([], ["gate"]) or any(text in refusals for text in self.said())


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class OfficeBot:
    # A plain class, not a dataclass: hypothesis prints a test's arguments, and a dataclass would be printed
    # field by field (the fake server's whole history, growing with every example).
    def __init__(self, database: Database) -> None:
        self.database = database
        self.server = FakeBotApi()
        self.app: Application | None = None  # type: ignore[type-arg]
        self.actors: dict[str, Actor] = {}
        self._ids = itertools.count(1)
        self._collector = _Collector()
        self._saved_level = logging.NOTSET

    def __repr__(self) -> str:
        return f"OfficeBot({self.database.dialect})"

    def _know(self, chat_id: int) -> None:
        """A chat Telegram has (as if the person had written before), with message 1: the one whose
        buttons the tests press."""
        if chat_id not in self.server.known_chats:
            self.server.known_chats.add(chat_id)
            self.server._record(chat_id, {"text": "…"}, "sendMessage")

    async def start(self) -> None:
        await self.server.start()
        values: dict[str, Any] = {
            "bot_token": self.server.token,
            "telegram_api_url": self.server.url,
            "database_url": self.database.url,
            "admin_ids": str(ADMIN.id),
        }
        settings = Settings(**values)
        self.app = build_application(settings, self.database, with_dispatcher=False, with_jobs=False)
        await self.app.initialize()
        assert self.app.post_init is not None
        await self.app.post_init(self.app)
        for chat_id in {u.id for u in ROLES.values()} | {int(GROUP_CHAT["id"])}:
            self._know(chat_id)
        updates = logging.getLogger("bot.updates")
        self._saved_level = updates.level
        updates.setLevel(logging.INFO)
        logging.getLogger().addHandler(self._collector)

    async def stop(self) -> None:
        logging.getLogger().removeHandler(self._collector)
        logging.getLogger("bot.updates").setLevel(self._saved_level)
        if self.app is not None:
            await self.app.shutdown()
        await self.server.stop()

    async def seed(self) -> None:
        """The office: two sibling units under the Sở, each with a head, and a published pledge."""
        async with self.database.unit_of_work() as session:
            await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(STAFF))
            people = {p.full_name: p for p in (await session.scalars(select(Official))).all()}
            for name, user in LINKED.items():
                await link_telegram(session, people[name], user.id)
                people[name].status = OfficialStatus.ACTIVE
                people[name].locale = user.language_code
            await session.flush()
            await pledges.publish(session, template=template(), unit=None, material=False, publisher_id=None)
        await self.run(message_update(ADMIN, "/me"))  # the admin's row is made on their first update
        async with self.database.unit_of_work() as session:
            await agree_all_linked(session)  # the admin answered the privacy notice that /me showed
            for role, user in ROLES.items():
                official = await by_telegram(session, user.id)
                if official is not None:
                    self.actors[role] = actor_of(official)

    async def run(self, update: dict[str, Any]) -> Outcome:
        assert self.app is not None
        body = {"update_id": next(self._ids), **update}
        chat = chat_of(body)
        if chat is not None:
            self._know(chat)
        calls, records = len(self.server.calls), len(self._collector.records)
        await self.app.process_update(Update.de_json(body, self.app.bot))
        new_records = self._collector.records[records:]
        handlers: list[str] = []
        for record in new_records:
            if record.name == "bot.updates" and isinstance(record.args, tuple) and len(record.args) >= 3:
                handlers = [h for h in str(record.args[2]).split(",") if h and h != "-"]
        return Outcome(
            handlers=handlers,
            calls=self.server.calls[calls:],
            errors=[r for r in new_records if r.levelno >= logging.ERROR],
        )


@asynccontextmanager
async def office_bot(database: Database) -> AsyncIterator[OfficeBot]:
    bot = OfficeBot(database)
    await bot.start()
    try:
        await bot.seed()
        yield bot
    finally:
        await bot.stop()


_message_ids = itertools.count(50_000)


def message_update(
    user: FakeUser, text: str | None = None, *, chat: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    # A fixed date: the same input makes the same rows, so before/after checksums compare like for like.
    return message(user, text, chat=chat, **{"date": 1_790_000_000, **extra})


def callback_update(user: FakeUser, data: str, *, chat: dict[str, Any] | None = None) -> dict[str, Any]:
    """A press on a button of a message the bot sent earlier (message id 1 of that chat)."""
    shown_chat = chat or user.private_chat()
    return {
        "callback_query": {
            "id": str(next(_message_ids)),
            "from": user.as_dict(),
            "chat_instance": f"ci-{shown_chat['id']}",
            "data": data,
            "message": {
                "message_id": 1,
                "date": 1_790_000_000,
                "chat": shown_chat,
                "from": {"id": 700000001, "is_bot": True, "first_name": "Cam Kết"},
                "text": "…",
            },
        }
    }
