"""Every route of the pages, whatever feature added it: strangers are turned away, POSTs need the CSRF
token, and an official's session opens none of the heads' or admins' pages.

The table is read from the application itself, so a page added later is checked without being listed.
"""

from __future__ import annotations

import re

import pytest
from starlette.routing import Route

from storage.engine import Database
from storage.models import OfficialStatus
from tests.factories import telegram_official
from tests.web_client import csrf_of, sign_in, web_app, web_client

# The ways in, open to anyone: signing in and out, the Mini App's entry, the language choice, and a file
# sent by link (/f/<token>): the random token is the capability, and Zalo's servers fetch pictures there
# without a session; and the citizens' rating form behind a desk's QR poster (issue 16), for people who have
# no account at all.
PUBLIC = {
    "/signin/{token}",
    "/signin",
    "/app",
    "/signed-out",
    "/language",
    "/f/{token}",
    "/r/{code}",
    "/r/{code}/thanks",
}
# Areas an official (the lowest role) may not enter.
MANAGERS_ONLY = ("/dashboard", "/admin", "/broadcasts")


def _concrete(path: str) -> str:
    """A route's path with every parameter filled by an id that may or may not exist."""
    return re.sub(r"\{[^}]+\}", "1", path)


def _routes(database: Database) -> list[tuple[str, str]]:
    table = []
    for route in web_app(database).routes:
        if isinstance(route, Route) and route.methods:
            for method in sorted(route.methods - {"HEAD"}):
                table.append((method, route.path))
    return table


async def _official(database: Database) -> int:
    async with database.unit_of_work() as session:
        official = await telegram_official(
            session, 4242, full_name="Lê Thị Mai", name_key="le thi mai", status=OfficialStatus.ACTIVE
        )
        return official.id


async def test_strangers_get_the_sign_in_page_everywhere_but_the_ways_in(database: Database) -> None:
    table = _routes(database)
    assert len(table) >= 8
    async with web_client(database) as client:
        for method, path in table:
            if path in PUBLIC:
                continue
            answer = await client.request(method, _concrete(path))
            assert answer.status_code == 401, f"{method} {path}: {answer.status_code}"
            assert "/web" in answer.text, f"{method} {path} does not say how to sign in"


async def test_no_post_goes_through_without_its_csrf_token(database: Database) -> None:
    official_id = await _official(database)
    async with web_client(database) as client:
        await sign_in(client, database, official_id)
        for method, path in _routes(database):
            if method != "POST" or path in {"/signin", "/app"}:
                continue
            answer = await client.post(_concrete(path), data={"csrf": "0" * 64})
            assert answer.status_code in (403, 404), f"POST {path}: {answer.status_code}"
        assert (await client.get("/")).status_code == 200  # still signed in: nothing was undone


@pytest.mark.parametrize("area", MANAGERS_ONLY)
async def test_an_officials_session_opens_no_managers_page(database: Database, area: str) -> None:
    official_id = await _official(database)
    guarded = [(m, p) for m, p in _routes(database) if p.startswith(area)]
    async with web_client(database) as client:
        page = await sign_in(client, database, official_id)
        token = csrf_of(page)
        for method, path in guarded:
            data = {"csrf": token} if method == "POST" else None
            answer = await client.request(method, _concrete(path), data=data)
            # /broadcasts lists what reached the person's own unit for heads: an official is refused it too.
            assert answer.status_code in (403, 404), f"{method} {path}: {answer.status_code}"
