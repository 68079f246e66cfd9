"""The real bot, polling the fake Bot API server, for end-to-end tests."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.application import build_application, start_dispatcher
from bot.settings import Settings
from compliance.office.accounts import ChannelUser, find_official
from compliance.office.officials import load_actor
from compliance.privacy.consent import has_current
from storage.clock import ShiftedClock, current_clock, set_clock, utcnow
from storage.engine import Database
from tests.consents import agree
from tests.factories import FakeUser, buttons, contact, message, press
from tests.fakes.botapi import FakeBotApi


class BotHarness:
    ADMIN = FakeUser(900001, "Quản trị", "Văn phòng", "vi")

    def __init__(
        self,
        database: Database,
        *,
        admin_ids: frozenset[int] = frozenset(),
        with_jobs: bool = False,
        **settings: Any,
    ) -> None:
        """Jobs (the minute tick) are off by default: tests tick with a controlled clock instead."""
        self.database = database
        self.with_jobs = with_jobs
        self.server = FakeBotApi()
        self.admin_ids = admin_ids
        self.extra_settings = settings
        self.app: Application | None = None  # type: ignore[type-arg]
        # The process's clock while the bot runs: a test moves it to the day and hour of its scene.
        self.clock = ShiftedClock(utcnow())
        self._previous_clock = current_clock()
        self._admin_ready = False

    async def start(self) -> None:
        set_clock(self.clock)
        await self.server.start()
        values: dict[str, Any] = {
            "bot_token": self.server.token,
            "telegram_api_url": self.server.url,
            "database_url": self.database.url,
            "admin_ids": ",".join(str(i) for i in self.admin_ids),
            **self.extra_settings,
        }
        settings = Settings(**values)
        self.app = build_application(settings, self.database, with_jobs=self.with_jobs)
        await self.app.initialize()
        # run_polling() would call these hooks; the harness runs the lifecycle step by step.
        if self.app.post_init is not None:
            await self.app.post_init(self.app)
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0.0, timeout=5)

    async def _admin_agreed(self, update: dict[str, Any]) -> None:
        """ADMIN_IDS get their row on their first message, which would show them the privacy notice: the
        harness's admin has answered it already, from the moment they first write (an admin who never wrote
        has no row, as before; tests of the notice use people without a consent)."""
        sender = next((part.get("from") for part in update.values() if isinstance(part, dict)), None)
        if self._admin_ready or not sender or sender.get("id") != self.ADMIN.id:
            return
        self._admin_ready = True
        async with self.database.unit_of_work() as session:
            for admin_id in self.admin_ids & {self.ADMIN.id}:
                actor = await load_actor(
                    session,
                    user=ChannelUser.telegram(admin_id),
                    display_name=f"{self.ADMIN.first_name} {self.ADMIN.last_name}",
                    language_code=self.ADMIN.language_code,
                    admin_ids=self.admin_ids,
                    default_locale="vi",
                )
                if actor is not None:
                    await agree(session, actor.id)

    async def stop(self) -> None:
        if self.app is not None:
            assert self.app.updater is not None
            await self.server.release_pollers()
            await self.app.updater.stop()
            await self.app.stop()
            if self.app.post_stop is not None:
                await self.app.post_stop(self.app)
            await self.app.shutdown()
        await self.server.stop()
        set_clock(self._previous_clock)

    async def send(self, update: dict[str, Any], *, to_chat: int, timeout: float = 10.0) -> dict[str, Any]:
        """Inject an update and wait for the next thing the bot sends or edits in that chat."""
        before = len(self.server.sent.get(to_chat, []))
        await self._admin_agreed(update)
        await self.server.inject(update)
        await self.server.wait_for(lambda: len(self.server.sent.get(to_chat, [])) > before, timeout)
        return self.server.sent[to_chat][before]

    async def say(self, user: FakeUser, text: str) -> dict[str, Any]:
        return await self.send(message(user, text), to_chat=user.id)

    async def join(self, user: FakeUser, phone: str) -> dict[str, Any]:
        """Share the phone number and agree to the privacy notice, as a newcomer does: the welcome (or, when
        the phone is refused, the refusal)."""
        before = len(self.server.sent.get(user.id, []))
        first = await self.send(contact(user, phone), to_chat=user.id)
        async with self.database.unit_of_work() as session:
            official = await find_official(session, ChannelUser.telegram(user.id))
            waiting = official is not None and not await has_current(session, official.id)
        if not waiting:
            return first
        notice = await self.next_to(user.id, after=before + 1)
        agree_to = next(
            b["callback_data"] for b in buttons(notice) if b["callback_data"].startswith("cs:yes:")
        )
        shown = len(self.server.messages_to(user.id))
        await self.server.inject(press(user, notice, agree_to))
        await self.server.wait_for(lambda: len(self.server.messages_to(user.id)) > shown)
        return self.server.messages_to(user.id)[shown]

    async def next_to(self, chat_id: int, *, after: int, timeout: float = 10.0) -> dict[str, Any]:
        await self.server.wait_for(lambda: len(self.server.sent.get(chat_id, [])) > after, timeout)
        return self.server.sent[chat_id][after]

    async def settle_outbox(self) -> None:
        """Stop the dispatcher, which records every answer Telegram gave before it returns, and start a
        fresh one: afterwards the database holds the outcome of every send the server has seen."""
        assert self.app is not None
        services = self.app.bot_data
        if services.stop_dispatcher is not None and services.dispatcher_task is not None:
            services.stop_dispatcher()
            await services.dispatcher_task
        start_dispatcher(self.app)
