"""The web pages in-process: an httpx client on the ASGI app, and signing in the way a person does."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette

from compliance.office.web_access import issue_link
from handlers.web.app import create_app
from handlers.web.config import WebConfig
from storage.engine import Database
from tests.consents import agree_in

BASE = "http://testserver"
TELEGRAM_TOKEN = "123456:TEST-token-of-the-fake-bot-api-000000"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def web_app(database: Database, **config: object) -> Starlette:
    settings: dict[str, object] = {"public_url": BASE, "telegram_token": TELEGRAM_TOKEN, **config}
    return create_app(WebConfig(database=database, **settings))  # type: ignore[arg-type]


@asynccontextmanager
async def web_client(database: Database, **config: object) -> AsyncIterator[httpx.AsyncClient]:
    app = web_app(database, **config)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


async def link_token(database: Database, official_id: int, next_path: str = "/") -> str:
    """A one-time sign-in link's token for someone who has answered the privacy notice (tests of the notice
    make their links with issue_link)."""
    await agree_in(database, official_id)
    async with database.unit_of_work() as session:
        return await issue_link(session, official_id=official_id, issued_by="test", next_path=next_path)


async def sign_in(client: httpx.AsyncClient, database: Database, official_id: int) -> httpx.Response:
    """Open a fresh one-time link and sign in, as someone who agreed to the privacy notice; the answer is
    the page the link leads to."""
    token = await link_token(database, official_id)
    opened = await client.get(f"/signin/{token}")
    assert opened.status_code == 303, opened.text
    posted = await client.post("/signin")
    assert posted.status_code == 303, posted.text
    return await client.get(posted.headers["location"])


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)
