"""The privacy notice in a real browser, on a phone: after the first sign-in every page leads to it; two
buttons, neither chosen; agreeing opens the official's page; withdrawing is confirmed on its own page and
signs out. Each step is kept as a screenshot (test-artifacts/screenshots/<test>/official/)."""

from __future__ import annotations

from sqlalchemy import select

from compliance.office.accounts import ChannelUser, link
from storage.engine import Database
from storage.models import Official, OfficialStatus
from storage.models_consent import Consent
from tests.browser.conftest import Visitors
from tests.browser.server import WebServer


async def test_the_privacy_notice_on_a_phone(database: Database, web: WebServer, visitors: Visitors) -> None:
    async with database.unit_of_work() as session:
        lan = Official(full_name="Nguyễn Thị Lan", name_key="nguyễn thị lan", status=OfficialStatus.ACTIVE)
        session.add(lan)
        await session.flush()
        await link(session, lan, ChannelUser.telegram(611))
    person = await visitors.new("official")
    await person.goto(await web.link_for(lan.id, "/pledge", consented=False), "notice")
    page = person.page
    assert page.url == f"{web.url}/consent"
    assert "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15" in await page.inner_text("main")
    assert await page.locator("input[type=checkbox], input[type=radio]").count() == 0  # nothing to pre-tick
    assert await page.locator("button[name=answer]").count() == 2
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the notice is wider than the phone: {width}px"

    await page.click("button[name=answer][value=yes]")
    await person.shot("agreed")
    assert page.url == f"{web.url}/"
    async with database.unit_of_work() as session:
        given = await session.scalar(select(Consent).where(Consent.official_id == lan.id))
        assert given is not None and given.channel == "web"

    await person.goto(f"{web.url}/consent", "consent-held")
    await page.click("a[href='/consent/withdraw']")
    await person.shot("withdraw-asked")
    await page.click("form[action='/consent/withdraw'] button[type=submit]")
    await person.shot("withdrawn")
    await person.goto(f"{web.url}/pledge", "after-withdrawal")
    assert "/web" in await page.inner_text("main")  # signed out: a new link is needed
