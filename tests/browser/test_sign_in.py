"""An official opens the link the bot sent, on a phone-sized screen, and lands on their page."""

from __future__ import annotations

from storage.engine import Database
from storage.models import OfficialStatus
from tests.browser.conftest import Visitors
from tests.browser.server import WebServer
from tests.factories import telegram_official


async def test_a_link_opens_the_officials_page_on_a_phone(
    database: Database, web: WebServer, visitors: Visitors
) -> None:
    async with database.unit_of_work() as session:
        official = await telegram_official(
            session, 601, full_name="Trần Văn Hùng", name_key="tran van hung", status=OfficialStatus.ACTIVE
        )
    link = await web.link_for(official.id)
    hung = await visitors.new("official")
    await hung.goto(link, "signed-in")
    assert hung.page.url == f"{web.url}/"
    assert "Trần Văn Hùng" in await hung.page.inner_text("header")
    assert await hung.page.get_attribute("html", "lang") == "vi"
    width = await hung.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is wider than the phone: {width}px"
    # The link was used: opened again, it is refused.
    again = await visitors.new("someone-else")
    await again.goto(link, "link-used")
    assert again.page.url == f"{web.url}/signin"
    assert "/web" in await again.page.inner_text("main")
