"""Webhook settings checked at start-up, and the health endpoint when the database is away."""

from __future__ import annotations

import pytest
import tornado.httpserver
import tornado.web
from aiohttp import ClientSession

from bench.dispatch import free_port
from bot.settings import SettingsError, load_settings
from bot.webhook import HealthHandler
from storage.engine import Database

SECRET = "s3cret_-value"


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"webhook_url": "https://bot.example.vn/tg"}, "Invalid setting WEBHOOK_SECRET: must be set"),
        (
            {"webhook_url": "http://bot.example.vn/tg", "webhook_secret": SECRET},
            "WEBHOOK_URL: must be an https",
        ),
        (
            {"webhook_url": "https://bot.example.vn/healthz", "webhook_secret": SECRET},
            "WEBHOOK_URL: must not",
        ),
        (
            {"webhook_url": "https://bot.example.vn/tg", "webhook_secret": "bad secret!"},
            "WEBHOOK_SECRET: must be",
        ),
        ({"port": "0"}, "Invalid setting PORT"),
    ],
)
def test_bad_webhook_settings_stop_start_up_with_one_line(values: dict[str, str], error: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None, **values)
    assert str(raised.value).startswith("Invalid setting ") and error in str(raised.value)
    assert "\n" not in str(raised.value)


def test_the_webhook_listens_at_the_path_of_its_url() -> None:
    settings = load_settings(
        _env_file=None, webhook_url="https://bot.example.vn/a/tg/", webhook_secret=SECRET
    )
    assert settings.webhook_path == "a/tg"
    assert load_settings(_env_file=None).webhook_path == ""  # polling


async def test_health_is_503_when_the_database_does_not_answer() -> None:
    unreachable = Database(f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/none")
    app = tornado.web.Application([("/healthz", HealthHandler, {"database": unreachable})])
    server = tornado.httpserver.HTTPServer(app)
    port = free_port()
    server.listen(port, address="127.0.0.1")
    try:
        async with ClientSession() as client, client.get(f"http://127.0.0.1:{port}/healthz") as response:
            body = await response.json()
        assert response.status == 503
        assert body["status"] == "unavailable" and body["database"] == "unreachable"
    finally:
        server.stop()
        await unreachable.dispose()
