"""Webhook mode: python-telegram-bot's webhook server, with a health endpoint on the same port.

PTB's run_webhook() serves Telegram's POSTs from a tornado application it builds itself, and refuses
(403) a call without the right X-Telegram-Bot-Api-Secret-Token. Once that server is running, GET
/healthz is added to the same tornado application (add_handlers, tornado's public API), so a load
balancer checks the very port and process that take the updates. PTB keeps the server in a private
attribute of its Updater; python-telegram-bot is pinned below 23 and tests/e2e/test_webhook.py fails if
the endpoint stops answering.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import tornado.web
from telegram import Update
from telegram.ext import Application

from bot.settings import HEALTH_PATH, Settings
from compliance.delivery.replicas import outbox_backlog
from storage.engine import Database

log = logging.getLogger(__name__)
HEALTH_TIMEOUT_SECONDS = 3.0


def bot_version() -> str:
    try:
        return version("camket-bot")
    except PackageNotFoundError:
        return "unknown"


class HealthHandler(tornado.web.RequestHandler):
    """200 and {"status": "ok", …} when the database answers; 503 when it does not."""

    database: Database

    def initialize(self, database: Database) -> None:
        self.database = database

    async def get(self) -> None:
        body: dict[str, Any] = {
            "version": bot_version(),
            "replica": f"{socket.gethostname()}:{os.getpid()}",
        }
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
                async with self.database.unit_of_work() as session:
                    pending = await outbox_backlog(session)
        except Exception as exc:  # whatever keeps the database from answering makes the replica unfit
            log.warning("health check: the database did not answer (%s)", type(exc).__name__)
            self.set_status(503)
            body.update(status="unavailable", database="unreachable", outbox_pending=None)
        else:
            body.update(status="ok", database="ok", outbox_pending=pending)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body))


def attach_health(application: Application, database: Database) -> bool:  # type: ignore[type-arg]
    """Add GET /healthz to the webhook server PTB is running; False when there is none (polling)."""
    httpd = getattr(application.updater, "_httpd", None)
    server = getattr(httpd, "_http_server", None)
    web_app = getattr(server, "request_callback", None)
    if not isinstance(web_app, tornado.web.Application):
        return False
    web_app.add_handlers(r".*", [(HEALTH_PATH, HealthHandler, {"database": database})])
    return True


def serve_webhook(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Register WEBHOOK_URL with Telegram and serve it on WEBHOOK_LISTEN:PORT until SIGTERM/SIGINT."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    application.run_webhook(
        listen=settings.webhook_listen,
        port=settings.port,
        url_path=settings.webhook_path,
        webhook_url=str(settings.webhook_url),
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=Update.ALL_TYPES,
    )
