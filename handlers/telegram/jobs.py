"""The scheduler's jobs: the JobQueue only ticks; the domain decides what is due and plans it."""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from compliance.delivery.replicas import forget_processed
from compliance.practice import planner
from handlers.telegram.context import BotServices
from storage.clock import utcnow

log = logging.getLogger(__name__)
TICK_SECONDS = 60
FORGET_UPDATES_SECONDS = 3600


async def tick_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    services: BotServices = context.bot_data  # type: ignore[assignment]
    async with services.database.unit_of_work() as session:
        report = await planner.tick(session, now=services.clock())
    if report.planned:
        log.info("tick planned %s", dict(report.planned))
        services.outbox_wakeup.set()
    if report.skipped:
        log.warning("tick skipped events that fell due while the bot was down: %s", report.skipped)


async def forget_updates_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Webhook mode: drop the update ids older than Telegram's retry window."""
    services: BotServices = context.bot_data  # type: ignore[assignment]
    async with services.database.unit_of_work() as session:
        await forget_processed(session, now=utcnow())
