"""Shared resources typed in a custom context, rather than attributes stuck on the Application."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram.ext import CallbackContext, ExtBot

from storage.clock import utcnow
from storage.engine import Database


class BotServices:
    """What every handler may need; filled in by bot.application.build_application()."""

    database: Database
    admin_ids: frozenset[int]
    default_locale: str
    outbox_wakeup: asyncio.Event
    run_dispatcher: bool
    run_jobs: bool
    dispatcher_task: asyncio.Task[None] | None
    stop_dispatcher: Callable[[], None] | None
    # Webhook mode: take each update id once across replicas (compliance.delivery.replicas.claim_update).
    dedupe_updates: bool
    # The tick's clock and period; tests of whole processes run a simulated week through them.
    clock: Callable[[], datetime]
    tick_seconds: float
    outbox_lease_seconds: float
    # PUBLIC_URL: the web pages' address, without a trailing slash; sign-in links are built on it.
    public_url: str

    def __init__(self) -> None:
        self.admin_ids = frozenset()
        self.default_locale = "vi"
        self.outbox_wakeup = asyncio.Event()
        self.run_dispatcher = True
        self.run_jobs = True
        self.dispatcher_task = None
        self.stop_dispatcher = None
        self.dedupe_updates = False
        self.clock = utcnow
        self.tick_seconds = 60.0  # schedules are set to the minute
        self.outbox_lease_seconds = 30
        self.public_url = "http://127.0.0.1:8080"


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotServices]):
    @property
    def services(self) -> BotServices:
        return self.bot_data
