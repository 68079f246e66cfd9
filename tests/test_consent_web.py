"""Consent on the web pages: after the first sign-in every page leads to the notice; a form with two
buttons and nothing chosen; the answer recorded as given on the web; /mydata and its JSON show it;
withdrawing needs the confirmation page and ends the session; declining unlinks and signs out."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import httpx
from sqlalchemy import select

from compliance.office.accounts import ChannelUser, find_official, link
from compliance.office.staff_import import import_staff
from compliance.office.web_access import issue_link
from handlers.i18n import use_locale
from handlers.messages import OutMessage
from handlers.views import consent as views
from storage.engine import Database
from storage.models import Official
from storage.models_consent import Consent
from tests.staff_files import OFFICE, xlsx_bytes
from tests.web_client import csrf_of, web_client


def said(message: Callable[[], OutMessage]) -> str:
    """The page's language is the office's (vi): the longest line of the message as the page shows it."""
    with use_locale("vi"):
        return max(message().text.splitlines(), key=len)


async def staff_member(database: Database, name: str, telegram_id: int) -> int:
    """Someone on the list, linked on Telegram, who has not answered the notice."""
    async with database.unit_of_work() as session:
        if await session.scalar(select(Official.id).limit(1)) is None:
            await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        person = await session.scalar(select(Official).where(Official.full_name == name))
        assert person is not None
        await link(session, person, ChannelUser.telegram(telegram_id))
        return person.id


async def first_sign_in(client: httpx.AsyncClient, database: Database, official_id: int) -> httpx.Response:
    async with database.unit_of_work() as session:  # not link_token: that one agrees first
        token = await issue_link(session, official_id=official_id, issued_by="test")
    await client.get(f"/signin/{token}")
    posted = await client.post("/signin")
    assert posted.status_code == 303
    return await client.get(posted.headers["location"])


async def consents(database: Database, official_id: int) -> list[Consent]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(Consent).where(Consent.official_id == official_id))).all())


async def test_the_first_sign_in_leads_to_the_notice_and_its_answer_is_recorded(database: Database) -> None:
    lan = await staff_member(database, "Nguyễn Thị Lan", 8001)
    async with web_client(database) as client:
        first = await first_sign_in(client, database, lan)
        assert first.status_code == 303 and first.headers["location"] == "/consent"
        for path in ("/pledge", "/mydata", "/mydata.json", "/selfcheck"):
            assert (await client.get(path)).headers.get("location") == "/consent", path
        shown = await client.get("/consent")
        assert shown.status_code == 200
        assert 'name="answer" value="yes"' in shown.text and 'name="answer" value="no"' in shown.text
        assert "checked" not in shown.text and "Luật Bảo vệ dữ liệu cá nhân" in shown.text
        refused = await client.post(
            "/consent", data={"csrf": csrf_of(shown), "answer": "maybe", "version": "1"}
        )
        assert refused.status_code == 400 and await consents(database, lan) == []
        agreed = await client.post("/consent", data={"csrf": csrf_of(shown), "answer": "yes", "version": "1"})
        assert agreed.status_code == 303 and agreed.headers["location"] == "/"
        (given,) = await consents(database, lan)
        assert (given.channel, given.notice_version, given.withdrawn_at) == ("web", 1, None)
        assert (await client.get("/")).status_code == 200
        mydata = await client.get("/mydata")
        assert re.search(r"agreed on web|đồng ý trên web", mydata.text)
        exported = json.loads((await client.get("/mydata.json")).content)
        assert [c["channel"] for c in exported["consents"]] == ["web"]


async def test_withdrawing_on_the_web_confirms_then_signs_out_everywhere(database: Database) -> None:
    hoa = await staff_member(database, "Lê Thị Hoa", 8002)
    async with web_client(database) as client:
        await first_sign_in(client, database, hoa)
        shown = await client.get("/consent")
        await client.post("/consent", data={"csrf": csrf_of(shown), "answer": "yes", "version": "1"})
        confirm = await client.get("/consent/withdraw")
        assert confirm.status_code == 200 and said(views.confirm_withdraw) in confirm.text
        assert (await consents(database, hoa))[0].withdrawn_at is None  # the GET changed nothing
        done = await client.post("/consent/withdraw", data={"csrf": csrf_of(confirm)})
        assert done.status_code == 200 and said(views.withdrawn) in done.text
        assert (await client.get("/pledge")).status_code == 401  # the session has ended
    (given,) = await consents(database, hoa)
    assert given.withdrawn_at is not None and given.withdrawn_channel == "web"
    async with database.unit_of_work() as session:
        assert await find_official(session, ChannelUser.telegram(8002)) is None


async def test_declining_on_the_web_unlinks_and_signs_out(database: Database) -> None:
    huy = await staff_member(database, "Đỗ Quang Huy", 8003)
    async with web_client(database) as client:
        await first_sign_in(client, database, huy)
        shown = await client.get("/consent")
        declined = await client.post(
            "/consent", data={"csrf": csrf_of(shown), "answer": "no", "version": "1"}
        )
        assert declined.status_code == 200 and said(views.declined) in declined.text
        assert (await client.get("/")).headers.get("location") != "/consent"
        assert (await client.get("/pledge")).status_code == 401
    assert await consents(database, huy) == []
    async with database.unit_of_work() as session:
        assert await find_official(session, ChannelUser.telegram(8003)) is None
