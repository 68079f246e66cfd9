"""Webhook settings checked at start-up, and the health endpoint when the database is away."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette

from bench.dispatch import free_port
from bot.health import health_route
from bot.logs import setup_logging
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


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved_handlers:
        root.addHandler(handler)
    root.setLevel(saved_level)
    logging.getLogger("uvicorn.access").setLevel(logging.NOTSET)


def test_a_sign_in_token_in_a_logged_path_is_masked(log_stream: io.StringIO) -> None:
    setup_logging("DEBUG", secrets=[SECRET], stream=log_stream)
    access = logging.getLogger("uvicorn.access")
    access.info('%s - "%s %s HTTP/1.1" %d', "203.0.113.7", "GET", "/signin/AbC-12_xyz", 303)
    access.info("webhook secret %s", SECRET)
    text = log_stream.getvalue()
    assert "AbC-12_xyz" not in text and "/signin/[REDACTED]" in text and SECRET not in text


def test_request_lines_are_kept_out_of_an_info_log(log_stream: io.StringIO) -> None:
    setup_logging("INFO", stream=log_stream)
    logging.getLogger("uvicorn.access").info("GET / 200")
    logging.getLogger("uvicorn.error").info("Uvicorn running")
    assert "GET / 200" not in log_stream.getvalue() and "Uvicorn running" in log_stream.getvalue()
