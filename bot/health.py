"""GET /healthz: whether this replica can serve, for a load balancer, on the port of the pages and webhook."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.settings import HEALTH_PATH
from compliance.delivery.replicas import outbox_backlog
from storage.engine import Database

log = logging.getLogger(__name__)
HEALTH_TIMEOUT_SECONDS = 3.0


def bot_version() -> str:
    try:
        return version("camket-bot")
    except PackageNotFoundError:
        return "unknown"


# Each channel's own state ({"zalo": "paused: …"}): shown, but a paused channel leaves the replica fit (a
# restart would not mend a revoked token, and the pages and other channels still serve).
ChannelStates = Callable[[], dict[str, str]]


async def health_body(
    database: Database, channels: ChannelStates | None = None
) -> tuple[int, dict[str, Any]]:
    """200 and {"status": "ok", …} when the database answers; 503 when it does not."""
    body: dict[str, Any] = {"version": bot_version(), "replica": f"{socket.gethostname()}:{os.getpid()}"}
    if channels is not None:
        body["channels"] = channels()
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
            async with database.unit_of_work() as session:
                pending = await outbox_backlog(session)
    except Exception as exc:  # whatever keeps the database from answering makes the replica unfit
        log.warning("health check: the database did not answer (%s)", type(exc).__name__)
        body.update(status="unavailable", database="unreachable", outbox_pending=None)
        return 503, body
    body.update(status="ok", database="ok", outbox_pending=pending)
    return 200, body


def health_route(database: Database, channels: ChannelStates | None = None) -> Route:
    async def health(request: Request) -> JSONResponse:
        status, body = await health_body(database, channels)
        return JSONResponse(body, status_code=status, headers={"cache-control": "no-store"})

    return Route(HEALTH_PATH, health, methods=["GET"])
