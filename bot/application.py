"""build_application(): the one place where the bot is wired together."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any
from weakref import WeakValueDictionary

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, BaseUpdateProcessor, ContextTypes

from bot.settings import Settings
from compliance.delivery.replicas import claim_update
from compliance.office.officials import pick_locale
from handlers.i18n import set_locale
from handlers.scope import UpdateScope, close_scope, maybe_scope, open_scope
from handlers.telegram import broadcast_status
from handlers.telegram.ceremony import REFRESH_SECONDS, refresh_job
from handlers.telegram.command_menus import plan_startup_menus
from handlers.telegram.context import BotContext, BotServices
from handlers.telegram.delivery import Dispatcher, steady_rate_limiter
from handlers.telegram.jobs import FORGET_UPDATES_SECONDS, TICK_SECONDS, forget_updates_job, tick_job
from handlers.telegram.persistence import DatabasePersistence
from handlers.telegram.registry import register, register_commands
from storage.engine import Database

log = logging.getLogger("bot.updates")
GET_UPDATES_POOL_SECONDS = 15.0


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; those of one chat run in the order they came.

    A person who types their name and then /cancel must see them handled in that order.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: WeakValueDictionary[int, asyncio.Lock] = WeakValueDictionary()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.get(chat.id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[chat.id] = lock
        async with lock:
            await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


class CamKetApplication(Application):  # type: ignore[type-arg]
    """An Application whose every update runs in one unit of work, logged in one line."""

    async def process_update(self, update: object) -> None:
        services: BotServices = self.bot_data
        scope, token = open_scope(services.database)
        started = time.perf_counter()
        try:
            if await self._taken_elsewhere(update, scope):
                return
            await super().process_update(update)
        finally:
            try:
                await scope.finish()
            except Exception:
                log.exception("could not finish the unit of work of an update")
            finally:
                close_scope(token)
        # After the unit of work has committed (SQLite has one writer): conversation steps and drafts are
        # written now, not on a timer, so a restart loses none.
        try:
            await self.update_persistence()
        except Exception:
            log.exception("could not save conversation state")
        if scope.outbox_planned:
            services.outbox_wakeup.set()
        if isinstance(update, Update):
            user = update.effective_user
            log.info(
                "update %s user %s handler %s %.1f ms",
                update.update_id,
                user.id if user else "-",
                ",".join(scope.handlers) or "-",
                (time.perf_counter() - started) * 1000,
            )

    async def _taken_elsewhere(self, update: object, scope: UpdateScope) -> bool:
        """Webhook mode: a copy of an update another replica (or this one) has already taken."""
        services: BotServices = self.bot_data
        if not services.dedupe_updates or not isinstance(update, Update):
            return False
        try:
            taken = await claim_update(scope.session, update_id=update.update_id)
        except Exception as exc:
            # The database is away: the person is told to try again, as when a handler fails, in the
            # language their Telegram uses (their saved one cannot be read).
            user = update.effective_user
            set_locale(pick_locale(user.language_code if user else None, services.default_locale))
            await self.process_error(update, exc)
            return True
        if taken:
            return False
        log.info("update %s skipped: already taken", update.update_id)
        return True

    async def process_error(self, update: object | None, error: Exception, *args: Any, **kwargs: Any) -> bool:
        scope = maybe_scope()
        if scope is not None:
            scope.failed = True
        return await super().process_error(update, error, *args, **kwargs)


def build_application(
    settings: Settings, database: Database, *, with_dispatcher: bool = True, with_jobs: bool = True
) -> Application:  # type: ignore[type-arg]
    api = settings.api_root
    application = (
        ApplicationBuilder()
        .application_class(CamKetApplication)
        .token(settings.token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .context_types(ContextTypes(context=BotContext, bot_data=BotServices))
        .rate_limiter(steady_rate_limiter(settings.telegram_rate_limit))
        .concurrent_updates(PerChatUpdateProcessor(64))
        # On stop the updater asks getUpdates once more to confirm what it took, while the cancelled long
        # poll may still hold its connection until the server answers it: a second connection for that
        # last call, and a longer wait for one on a loaded machine.
        .get_updates_connection_pool_size(2)
        .get_updates_pool_timeout(GET_UPDATES_POOL_SECONDS)
        .persistence(DatabasePersistence(database))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .build()
    )
    services: BotServices = application.bot_data
    services.database = database
    services.admin_ids = settings.admin_ids
    services.default_locale = settings.default_locale
    services.run_dispatcher = with_dispatcher
    services.run_jobs = with_jobs
    services.dedupe_updates = settings.webhook_url is not None
    services.tick_seconds = TICK_SECONDS
    services.outbox_lease_seconds = settings.outbox_lease_seconds
    services.public_url = settings.public_url
    register(application)
    return application


Job = Callable[[ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def stoppable(job: Job) -> Job:
    """APScheduler cancels a job still running when the bot stops, and logs the cancellation as an error.
    Every job is one transaction that rolls back and is done again by the next tick: stopping it is normal."""

    @functools.wraps(job)
    async def run(context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await job(context)
        except asyncio.CancelledError:
            logging.getLogger(__name__).info(
                "job %s stopped with the bot; the next run does its work", job.__name__
            )

    return run


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    services: BotServices = application.bot_data
    await register_commands(
        application.bot, admin_chat_ids=sorted(services.admin_ids), default_locale=services.default_locale
    )
    await plan_startup_menus(services.database, except_telegram_ids=services.admin_ids)
    if application.job_queue is not None and services.run_jobs:
        # Deterministic names: starting again replaces a job instead of adding a second one. The jobs hold
        # no schedule of their own: the database does, and every tick reads it afresh.
        for name, callback, interval in (
            ("schedule-tick", tick_job, services.tick_seconds),
            ("ceremony-refresh", refresh_job, REFRESH_SECONDS),
            ("broadcast-progress", broadcast_status.refresh_job, broadcast_status.REFRESH_SECONDS),
        ):
            for job in application.job_queue.get_jobs_by_name(name):
                job.schedule_removal()
            application.job_queue.run_repeating(stoppable(callback), interval=interval, first=1, name=name)
        if services.dedupe_updates:
            for job in application.job_queue.get_jobs_by_name("forget-processed-updates"):
                job.schedule_removal()
            application.job_queue.run_repeating(
                stoppable(forget_updates_job),
                interval=FORGET_UPDATES_SECONDS,
                first=60,
                name="forget-processed-updates",
            )
    if services.run_dispatcher:
        start_dispatcher(application)


def start_dispatcher(application: Application) -> None:  # type: ignore[type-arg]
    """The outbox's sender, as a background task of the application (tests restart it to settle)."""
    services: BotServices = application.bot_data
    dispatcher = Dispatcher(
        application.bot,
        services.database,
        wakeup=services.outbox_wakeup,
        default_locale=services.default_locale,
        lease=timedelta(seconds=services.outbox_lease_seconds),
        public_url=services.public_url,
    )
    services.stop_dispatcher = dispatcher.stop
    services.dispatcher_task = asyncio.create_task(dispatcher.run(), name="outbox-dispatcher")


async def _post_stop(application: Application) -> None:  # type: ignore[type-arg]
    services: BotServices = application.bot_data
    if services.stop_dispatcher is not None and services.dispatcher_task is not None:
        services.stop_dispatcher()
        await services.dispatcher_task
        services.dispatcher_task = None
