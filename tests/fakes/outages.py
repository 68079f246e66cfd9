"""Telegram having a bad minute, for the fake Bot API server: 5xx answers, requests that hang until the
client times out, or the server gone (connections refused) and back on the same port.

    outage = fail_all(server, status=502)   # every API call answers 502 until outage.end()
    outage = hang_all(server)               # every API call waits, unanswered, until outage.end()
    await go_away(server) ... await come_back(server)
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.botapi import FakeBotApi
from tests.fakes.telegram_rules import ApiError, error_response

REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class Outage:
    """While installed on a server (server.outage), it answers API calls instead of the server."""

    server: FakeBotApi
    status: int = 502
    hang: bool = False
    refused: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._over = asyncio.Event()

    async def answer(self, method: str) -> web.Response:
        async with self.server.changed:
            self.refused[method] += 1
            self.server.changed.notify_all()
        if self.hang:
            # Held open until the outage ends; the client has given up long before (its read timeout).
            await self._over.wait()
            return error_response(ApiError(504, REASONS[504]))
        return error_response(ApiError(self.status, REASONS.get(self.status, "Server Error")))

    def end(self) -> None:
        """Telegram is back: hung calls are answered (with an error, the client has left) and new calls
        reach the server again."""
        self._over.set()
        if self.server.outage is self:
            self.server.outage = None


def fail_all(server: FakeBotApi, *, status: int = 502) -> Outage:
    server.outage = Outage(server, status=status)
    return server.outage


def hang_all(server: FakeBotApi) -> Outage:
    server.outage = Outage(server, hang=True)
    return server.outage


async def go_away(server: FakeBotApi) -> None:
    """Stop listening: the bot's connections are refused until come_back(). What the server holds (sent
    messages, known chats, updates not yet fetched) stays."""
    await server.release_pollers()
    await server.stop()


async def come_back(server: FakeBotApi) -> None:
    """Listen again on the same port."""
    server.reopen()
    await server.start()
