"""The process: one uvicorn server (the web pages, /healthz, and any channel's webhook) and every configured
channel, in one event loop; stopped by SIGINT/SIGTERM.

Order: the channels start once the server listens (a webhook registered before that would be called on a
closed port), and stop after it has closed (updates it took are handled before the process ends).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import signal
import socket
import threading
from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from bot.health import health_route
from bot.settings import Settings
from compliance.reports import satisfaction_days
from handlers.web.app import create_app
from handlers.web.config import WebConfig
from storage.engine import Database

log = logging.getLogger("bot.server")
READY = "serving the web pages at"
# Requests still running when the process is asked to stop get this long to finish.
GRACEFUL_SECONDS = 10


class ChannelService(Protocol):
    """A messaging channel run by the process (Telegram today; Zalo next): its webhook routes, if any,
    are served by the process's web server."""

    @property
    def description(self) -> str: ...

    def routes(self) -> list[BaseRoute]: ...

    def wake_outbox(self) -> None:
        """Something was written to the outbox outside this channel's updates (a web form): send it now."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@runtime_checkable
class ReportsHealth(Protocol):
    """A channel that can be unwell while the process serves (Zalo paused by a refused token)."""

    @property
    def name(self) -> str: ...

    @property
    def health(self) -> str: ...


def channel_states(channels: Sequence[ChannelService]) -> dict[str, str]:
    return {c.name: c.health for c in channels if isinstance(c, ReportsHealth)}


class CannotListen(Exception):
    """The port is taken, or the address is not this machine's: said in one line, without a traceback."""


class WebServer(uvicorn.Server):
    """uvicorn's server, telling when it listens, and leaving the process's shutdown to us.

    uvicorn re-raises a captured SIGTERM once serve() returns, which would end the process before the
    channels stop; here the signal only ends serve().
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        except SystemExit:  # uvicorn's answer to a port it cannot bind, after logging why
            self.should_exit = True
            return
        if not self.should_exit:
            self.listening.set()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _wake_outboxes(channels: Sequence[ChannelService]) -> None:
    for channel in channels:
        channel.wake_outbox()


def web_app(settings: Settings, database: Database, channels: Sequence[ChannelService]) -> Starlette:
    config = WebConfig(
        database=database,
        public_url=settings.public_url,
        default_locale=settings.default_locale,
        telegram_token=settings.token if settings.bot_token is not None else None,
        wake_outbox=functools.partial(_wake_outboxes, channels),
    )
    extra: list[BaseRoute] = [health_route(database, functools.partial(channel_states, channels))]
    for channel in channels:
        extra.extend(channel.routes())
    return create_app(config, extra_routes=extra)


def build_server(app: Starlette, settings: Settings) -> WebServer:
    return WebServer(
        uvicorn.Config(
            app,
            host=settings.webhook_listen,
            port=settings.port,
            log_config=None,  # our handlers and their redaction (bot.logs)
            lifespan="off",
            server_header=False,
            proxy_headers=True,
            timeout_graceful_shutdown=GRACEFUL_SECONDS,
        )
    )


def settle_heap() -> None:
    """What start-up built (modules, the app, the catalogs) lives as long as the process. Frozen, a full
    collection no longer walks it: before, each one paused every request in flight for 100–180 ms under
    the rating form's load (bench/feedback_form.py)."""
    gc.collect()
    gc.freeze()


async def roll_up_ratings(database: Database) -> None:
    """The satisfaction figures' roll-up catches up with the days closed while the bot was stopped (after
    the upgrade that brought it: a whole year of ratings, ~15 s at a province's size) in the background,
    rather than inside the first head's page that reads them."""
    try:
        async with database.unit_of_work() as session:
            await satisfaction_days.catch_up(session)
    except Exception:
        log.exception("the ratings' roll-up did not catch up at start; the first page that reads it will")


async def serve(settings: Settings, database: Database, channels: Sequence[ChannelService]) -> None:
    """Serve until SIGINT/SIGTERM; returns once every channel has stopped."""
    server = build_server(web_app(settings, database, channels), settings)
    settle_heap()
    serving = asyncio.create_task(server.serve(), name="web-server")
    listening = asyncio.create_task(server.listening.wait())
    await asyncio.wait({serving, listening}, return_when=asyncio.FIRST_COMPLETED)
    if not server.listening.is_set():
        listening.cancel()
        await serving
        raise CannotListen(
            f"could not listen on {settings.webhook_listen}:{settings.port} (PORT, WEBHOOK_LISTEN)"
        )
    started: list[ChannelService] = []
    try:
        for channel in channels:
            started.append(channel)
            await channel.start()
        log.info(
            "%s %s on port %d, health at /healthz; %s",
            READY,
            settings.public_url,
            settings.port,
            "; ".join(c.description for c in channels) or "no chat channel",
        )
        rolling = asyncio.create_task(roll_up_ratings(database), name="ratings-roll-up")
        await serving
        rolling.cancel()
    finally:
        if not serving.done():  # a channel failed to start: stop serving too
            server.should_exit = True
            await serving
        for channel in reversed(started):
            try:
                await channel.stop()
            except Exception:
                log.exception("could not stop a channel cleanly")
