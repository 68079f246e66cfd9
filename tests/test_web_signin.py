"""Signing in to the web pages: one-time links, sessions, sign-out, the Mini App, headers and CSRF."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import httpx
import time_machine
from sqlalchemy import select

from compliance.office.web_access import token_hash
from handlers.web.context import SESSION_COOKIE
from handlers.web.miniapp import sign
from storage.engine import Database
from storage.models import OfficialStatus
from storage.models_web import WebSession, WebSignIn
from tests.factories import telegram_official
from tests.web_client import TELEGRAM_TOKEN, csrf_of, link_token, sign_in, web_app, web_client


async def _official(database: Database, user_id: int = 501, name: str = "Nguyễn Thị Lan") -> int:
    async with database.unit_of_work() as session:
        official = await telegram_official(
            session, user_id, full_name=name, name_key=name.lower(), status=OfficialStatus.ACTIVE
        )
        return official.id


async def test_a_link_signs_in_once_and_leaves_the_address_bar(database: Database) -> None:
    official_id = await _official(database)
    token = await link_token(database, official_id)
    async with web_client(database) as client:
        opened = await client.get(f"/signin/{token}")
        assert opened.status_code == 303 and opened.headers["location"] == "/signin"
        assert token not in opened.headers["location"]
        posted = await client.post("/signin")
        assert posted.status_code == 303 and posted.headers["location"] == "/"
        cookie = posted.headers["set-cookie"]
        assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
        home = await client.get("/")
        assert home.status_code == 200 and "Nguyễn Thị Lan" in home.text
    async with web_client(database) as other:
        await other.get(f"/signin/{token}")
        reused = await other.post("/signin")
        assert reused.status_code == 400 and "/web" in reused.text
        assert (await other.get("/")).status_code == 401
    async with database.unit_of_work() as session:
        stored = (await session.scalars(select(WebSignIn))).all()
        assert [row.token_hash for row in stored] == [token_hash(token)]  # the token itself is not kept
        sessions = (await session.scalars(select(WebSession))).all()
        assert len(sessions) == 1 and sessions[0].official_id == official_id


async def test_expired_and_forged_links_are_refused(database: Database) -> None:
    official_id = await _official(database)
    token = await link_token(database, official_id)
    async with web_client(database) as client:
        with time_machine.travel(timedelta(minutes=11), tick=True):
            await client.get(f"/signin/{token}")
            assert (await client.post("/signin")).status_code == 400
        await client.get(f"/signin/{token}x")
        assert (await client.post("/signin")).status_code == 400
        assert (await client.get("/")).status_code == 401


async def test_sessions_end_when_idle_and_sign_out_everywhere(database: Database) -> None:
    official_id = await _official(database)
    async with web_client(database) as first, web_client(database) as second:
        await sign_in(first, database, official_id)
        page = await sign_in(second, database, official_id)
        signed_out = await second.post("/signout-all", data={"csrf": csrf_of(page)})
        assert signed_out.status_code == 303
        assert (await first.get("/")).status_code == 401
        assert (await second.get("/")).status_code == 401
    async with web_client(database) as idle:
        await sign_in(idle, database, official_id)
        with time_machine.travel(timedelta(hours=12, minutes=1), tick=True):
            assert (await idle.get("/")).status_code == 401


async def test_a_post_without_the_csrf_token_changes_nothing(database: Database) -> None:
    official_id = await _official(database)
    async with web_client(database) as client:
        page = await sign_in(client, database, official_id)
        refused = await client.post("/language", data={"lang": "en", "next": "/"})
        assert refused.status_code == 403
        assert "tải lại trang" in refused.text.lower()
        assert (await client.get("/")).text.count('lang="vi"') == 1
        changed = await client.post("/language", data={"lang": "en", "next": "/", "csrf": csrf_of(page)})
        assert changed.status_code == 303
        assert 'lang="en"' in (await client.get("/")).text


async def test_every_answer_carries_the_security_headers(database: Database) -> None:
    async with web_client(database) as client:
        answer = await client.get("/signin")
        assert "default-src 'self'" in answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["x-content-type-options"] == "nosniff"
        mini = await client.get("/app")
        assert "frame-ancestors https://web.telegram.org" in mini.headers["content-security-policy"]


def _init_data(user_id: int, *, age: int = 5, token: str = TELEGRAM_TOKEN) -> dict[str, str]:
    fields = {
        "auth_date": str(int(time.time()) - age),
        "query_id": "AAH",
        "user": json.dumps({"id": user_id, "first_name": "Lan"}),
    }
    fields["hash"] = sign(fields, bot_token=token)
    return fields


async def test_the_mini_app_signs_in_with_telegram_init_data(database: Database) -> None:
    await _official(database, user_id=777)
    from urllib.parse import urlencode

    async with web_client(database) as client:
        forged = _init_data(777, token="999:another-bot-token")
        refused = await client.post("/app", data={"init_data": urlencode(forged)})
        assert refused.status_code == 400
        stale = await client.post("/app", data={"init_data": urlencode(_init_data(777, age=7200))})
        assert stale.status_code == 400
        stranger = await client.post("/app", data={"init_data": urlencode(_init_data(778))})
        assert stranger.status_code == 400
        good = await client.post("/app", data={"init_data": urlencode(_init_data(777))})
        assert good.status_code == 303
        home = await client.get("/")
        assert home.status_code == 200 and "Nguyễn Thị Lan" in home.text
        assert "frame-ancestors https://web.telegram.org" in home.headers["content-security-policy"]


async def test_sign_in_attempts_are_limited_per_address(database: Database) -> None:
    async with web_client(database) as client:
        answers = []
        for _ in range(12):
            await client.get("/signin/not-a-token")
            answers.append((await client.post("/signin")).status_code)
        assert answers[:10] == [400] * 10 and answers[10:] == [403, 403]


async def test_a_committed_form_wakes_the_outbox_and_a_refused_one_does_not(database: Database) -> None:
    official_id = await _official(database)
    woken: list[bool] = []
    async with web_client(database, wake_outbox=lambda: woken.append(True)) as client:
        page = await sign_in(client, database, official_id)
        woken.clear()  # the sign-in's own POST
        await client.post("/language", data={"lang": "en", "next": "/"})  # no CSRF token: refused
        assert woken == []
        await client.post("/language", data={"lang": "en", "next": "/", "csrf": csrf_of(page)})
        assert woken == [True]


async def test_cookies_are_secure_when_the_pages_are_served_over_https(database: Database) -> None:
    official_id = await _official(database)
    token = await link_token(database, official_id)
    app = web_app(database, public_url="https://camket.example.gov.vn")
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://camket.example.gov.vn") as client:
        await client.get(f"/signin/{token}")
        posted = await client.post("/signin")
        assert posted.status_code == 303
        assert "; secure" in posted.headers["set-cookie"].lower()
    async with web_client(database) as plain:
        await plain.get(f"/signin/{await link_token(database, official_id)}")
        posted = await plain.post("/signin")
        assert posted.status_code == 303 and "secure" not in posted.headers["set-cookie"].lower()


async def test_a_mini_app_session_over_https_may_ride_in_telegrams_frame(database: Database) -> None:
    """web.telegram.org shows the Mini App in a frame: a Lax cookie would not come back from there."""
    from urllib.parse import urlencode

    await _official(database, user_id=779)
    app = web_app(database, public_url="https://camket.example.gov.vn")
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://camket.example.gov.vn") as client:
        opened = await client.post("/app", data={"init_data": urlencode(_init_data(779))})
        assert opened.status_code == 303
        session_cookie = next(c for c in opened.headers.get_list("set-cookie") if SESSION_COOKIE in c).lower()
        assert "samesite=none" in session_cookie and "partitioned" in session_cookie
        assert "secure" in session_cookie and "httponly" in session_cookie
        assert (await client.get("/")).status_code == 200
