"""Webhook settings checked at start-up, and the health endpoint when the database is away."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from bench.dispatch import free_port
from bot.health import health_route
from bot.settings import SettingsError, load_settings
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
    app = Starlette(routes=[health_route(unreachable)])
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://replica") as client:
            response = await client.get("/healthz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable" and body["database"] == "unreachable"
        assert body["outbox_pending"] is None and body["version"]
        assert response.headers["cache-control"] == "no-store"
    finally:
        await unreachable.dispose()


async def test_health_is_200_with_the_backlog_when_the_database_answers(database: Database) -> None:
    transport = httpx.ASGITransport(app=Starlette(routes=[health_route(database)]))
    async with httpx.AsyncClient(transport=transport, base_url="http://replica") as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["outbox_pending"] == 0
