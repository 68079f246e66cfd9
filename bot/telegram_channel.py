"""Telegram as one channel of the process: the Application started by hand under the process's event loop,
its updates by long polling, or by a webhook route served beside the web pages (PTB's "custom webhook"
arrangement), and stopped after the web server so that updates already taken are still handled."""

from __future__ import annotations

import hmac
import json
import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.ext import Application

from bot.settings import Settings
from handlers.telegram.context import BotServices

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - the header's name, not a secret


class TelegramChannel:
    def __init__(self, application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
        self.application = application
        self.settings = settings
        self.webhook = settings.webhook_url is not None

    @property
    def description(self) -> str:
        if self.webhook:
            return f"Telegram by webhook at /{self.settings.webhook_path}"
        return "Telegram by long polling"

    def wake_outbox(self) -> None:
        services: BotServices = self.application.bot_data
        services.outbox_wakeup.set()

    def routes(self) -> list[BaseRoute]:
        if not self.webhook:
            return []
        return [Route(f"/{self.settings.webhook_path}", self._take_update, methods=["POST"])]

    async def _take_update(self, request: Request) -> Response:
        assert self.settings.webhook_secret is not None
        expected = self.settings.webhook_secret.get_secret_value().encode()
        presented = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(presented, expected):
            return Response(status_code=403)
        try:
            update = Update.de_json(await request.json(), self.application.bot)
        except (json.JSONDecodeError, UnicodeDecodeError, TypeError, KeyError, ValueError):
            log.warning("webhook: a call with the right secret but no readable update")
            return Response(status_code=400)
        # Answered at once: the update is handled in its own unit of work (and taken once across replicas).
        await self.application.update_queue.put(update)
        return Response(status_code=200)

    async def start(self) -> None:
        """Initialise and start the Application (post_init registers the menus and starts the jobs and the
        outbox dispatcher), then take updates: run_polling()/run_webhook() would do the same steps."""
        application = self.application
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        if self.webhook:
            assert self.settings.webhook_secret is not None
            await application.bot.set_webhook(
                url=str(self.settings.webhook_url),
                secret_token=self.settings.webhook_secret.get_secret_value(),
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)

    async def stop(self) -> None:
        """The webhook stays registered: other replicas behind the same address keep taking updates."""
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
