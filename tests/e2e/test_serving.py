"""One process serves the web pages and /healthz on PORT in polling mode too, and stops cleanly."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from storage.engine import Database
from tests.e2e.processes import WebhookBot
from tests.factories import FakeUser, message
from tests.fakes.botapi import FakeBotApi


async def test_polling_mode_serves_the_pages_and_health_on_port(database: Database) -> None:
    server = FakeBotApi()
    await server.start()
    bot = WebhookBot(server, database.url, webhook=False)
    user = FakeUser(5201, "Minh", "Phạm", "en")
    server.known_chats.add(user.id)
    try:
        await bot.start()
        async with aiohttp.ClientSession() as client:
            async with client.get(f"{bot.url}/") as page:
                body = await page.text()
                assert page.status == 401  # not signed in: the page that says how to get a link
                assert "<html" in body and "default-src 'self'" in page.headers["content-security-policy"]
            async with client.get(f"{bot.url}/static/site.css") as stylesheet:
                assert stylesheet.status == 200
            status, health = await bot.health(client)
            assert status == 200 and health["status"] == "ok"
            # No webhook route in polling mode; Telegram's updates come by getUpdates.
            assert await bot.post(client, {"update_id": 1, **message(user, "/help")}) in (404, 405)
        await server.inject(message(user, "/help"))
        await server.wait_for(lambda: server.messages_to(user.id), timeout=30)
        await server.release_pollers()
    finally:
        code = await bot.stop()
        await server.stop()
    assert code == 0, bot.log[-3000:]
    assert not any(c.method == "setWebhook" for c in server.calls)
    serving = next(line for line in bot.log.splitlines() if "serving the web pages at" in line)
    assert f"on port {bot.port}" in serving and "Telegram by long polling" in serving
    assert "Traceback" not in bot.log and server.token not in bot.log


async def test_a_taken_port_stops_start_up_with_one_line(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    server = FakeBotApi()
    await server.start()
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    bot = WebhookBot(server, database.url, webhook=False, port=taken.getsockname()[1])
    try:
        with pytest.raises(RuntimeError, match="did not start"):
            await bot.start()
    finally:
        taken.close()
        await server.stop()
    assert bot.process is not None
    # Seen once in CI: the child exited so fast that asyncio's child watcher found it already reaped, and
    # says so ("Unknown child process pid N, will report returncode 255"); only then is its status unknown.
    status_lost = f"Unknown child process pid {bot.process.pid}" in caplog.text
    assert bot.process.returncode == 1 or (status_lost and bot.process.returncode == 255)
    assert f"could not listen on 127.0.0.1:{bot.port}" in bot.log and "Traceback" not in bot.log
    assert not any(c.method == "getUpdates" for c in server.calls)  # Telegram was never started
