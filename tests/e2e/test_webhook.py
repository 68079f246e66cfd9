"""Webhook mode as a deployment runs it: `python -m bot run` with WEBHOOK_URL and WEBHOOK_SECRET."""

from __future__ import annotations

import asyncio

import aiohttp
from telegram import Update

from bench.dispatch import free_port
from bot.application import build_application
from bot.settings import load_settings
from storage.engine import Database
from tests.e2e.processes import PUBLIC_URL, SECRET, WebhookBot
from tests.factories import FakeUser, message
from tests.fakes.botapi import FakeBotApi


async def test_webhook_serves_updates_once_refuses_a_wrong_secret_and_reports_health(
    database: Database,
) -> None:
    server = FakeBotApi()
    await server.start()
    bot = WebhookBot(server, database.url)
    user = FakeUser(5101, "Mai", "Trần", "en")
    server.known_chats.add(user.id)
    try:
        await bot.start()
        # The webhook was registered with Telegram at the public URL, with the secret.
        webhook = next(c for c in server.calls if c.method == "setWebhook")
        assert webhook.params["url"] == PUBLIC_URL
        assert webhook.params["secret_token"] == SECRET
        async with aiohttp.ClientSession() as client:
            status, health = await bot.health(client)
            assert status == 200
            assert health["status"] == "ok" and health["database"] == "ok"
            assert health["outbox_pending"] == 0 and health["version"]

            update = {"update_id": 9001, **message(user, "/help")}
            assert await bot.post(client, update, secret="not-the-secret") == 403
            assert await bot.post(client, {"update_id": 9000, **message(user, "/help")}, secret="") == 403
            # Telegram retrying a call it got no answer to: the same update twice, at once.
            statuses = await asyncio.gather(bot.post(client, update), bot.post(client, update))
            assert list(statuses) == [200, 200]
            assert await bot.post(client, {"update_id": 9002, **message(user, "/help")}) == 200
            await server.wait_for(lambda: len(server.messages_to(user.id)) >= 2, timeout=30)
            # A last update, answered after the others: nothing more was on its way.
            assert await bot.post(client, {"update_id": 9003, **message(user, "/help")}) == 200
            await server.wait_for(lambda: len(server.messages_to(user.id)) >= 3, timeout=30)
    finally:
        code = await bot.stop()
        await server.stop()
    assert len(server.messages_to(user.id)) == 3  # 9001 once, 9002, 9003; neither refused call
    assert code == 0, bot.log[-3000:]
    assert "update 9001 skipped: already taken" in bot.log
    assert "Traceback" not in bot.log and server.token not in bot.log and SECRET not in bot.log


async def test_an_update_arriving_while_the_database_is_away_is_answered_try_again(
    database: Database,
) -> None:
    """Webhook mode takes the update id first: when that fails, the person still hears back."""
    server = FakeBotApi()
    await server.start()
    settings = load_settings(
        _env_file=None,
        bot_token=server.token,
        telegram_api_url=server.url,
        database_url=database.url,
        webhook_url=PUBLIC_URL,
        webhook_secret=SECRET,
    )
    app = build_application(settings, database, with_dispatcher=False, with_jobs=False)
    user = FakeUser(5102, "Hải", "Lê", "en")
    server.known_chats.add(user.id)
    unreachable = Database(f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/none")
    try:
        await app.initialize()
        app.bot_data.database = unreachable  # started, then the database went away
        await app.process_update(Update.de_json({"update_id": 77, **message(user, "/help")}, app.bot))
        await server.wait_for(lambda: server.messages_to(user.id), timeout=30)
    finally:
        await app.shutdown()
        await unreachable.dispose()
        await server.stop()
    assert "try again" in server.messages_to(user.id)[0]["text"]
