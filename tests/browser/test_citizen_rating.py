"""A citizen rates a desk on a 360 px phone in Chromium: the address read back from the desk's poster (its
PDF), the form in Vietnamese, answered by tapping labels, a name picked from the desk's staff, a comment
typed, sent after a person's few seconds, the thank-you page; the rating stored as answered, and the same
phone told it already rated this desk today. Screenshots under test-artifacts/screenshots/<test>/citizen/.
"""

from __future__ import annotations

import io
import re

from playwright.async_api import ViewportSize
from pypdf import PdfReader
from sqlalchemy import select

from compliance.feedback.points import create_point
from compliance.feedback.poster import poster_facts, poster_pdf
from handlers.views.poster import poster_labels
from storage.engine import Database
from storage.models import Unit
from tests.browser.conftest import Visitors
from tests.browser.server import WebServer
from tests.feedback_desk import stored
from tests.web_admin_office import populate

NARROW_PHONE: ViewportSize = {"width": 360, "height": 740}


async def _poster_address(database: Database, web: WebServer) -> str:
    """The address printed under the poster's QR code, read back from the PDF."""
    async with database.unit_of_work() as session:
        unit = await session.scalar(select(Unit).where(Unit.name == "Văn phòng"))
        assert unit is not None
        point = await create_point(session, unit=unit, desk="Quầy số 3 – Đất đai", actor=None)
        facts = await poster_facts(session, point, public_url=web.url)
    text = PdfReader(io.BytesIO(poster_pdf(facts, poster_labels()))).pages[0].extract_text()
    found = re.search(r"127\.0\.0\.1:\d+/r/[A-Z0-9]{6}", text)
    assert found is not None, text
    return f"http://{found.group(0)}"


async def test_a_citizen_rates_the_desk_from_the_posters_address(
    database: Database, web: WebServer, visitors: Visitors
) -> None:
    people = await populate(database)
    address = await _poster_address(database, web)
    citizen = await visitors.new("citizen", viewport=NARROW_PHONE)
    page = citizen.page
    await citizen.goto(address, "form")
    assert await page.get_attribute("html", "lang") == "vi"
    assert "Quầy số 3 – Đất đai" in await page.inner_text("main")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the form is wider than the phone: {width}px"
    trap = await page.locator("#website").bounding_box()  # the robots' field: off the screen
    assert trap is not None and trap["x"] + trap["width"] < 0
    assert not await page.locator("input[name=contact_consent]").is_checked()

    await page.click("input[name=overall][value='4']")
    await page.click("input[name=trips][value='2']")
    await page.click("input[name=attitude][value='5']")
    await page.click("input[name=papers_posted][value='yes']")
    await page.click("input[name=progress_lookup][value='yes']")
    await page.click("input[name=asked_beyond_rules][value='no']")
    await page.fill("#comment", "Chị Hoa hướng dẫn rất tận tình, cảm ơn chị!")
    await page.fill("#dossier_number", "H40.26-1130-0001")
    await page.select_option("#official_id", label="Lê Thị Hoa")
    await citizen.shot("filled")
    await page.wait_for_timeout(5200)  # a person reads the questions; a robot posting at once is refused
    await page.click("form.rate button[type=submit]")
    await citizen.shot("thanks")
    assert page.url == f"{address}/thanks"
    assert await page.locator("p.success").count() == 1

    (rating,) = await stored(database)
    assert (rating.overall, rating.trips, rating.attitude) == (4, 2, 5)
    assert (rating.papers_posted, rating.progress_lookup, rating.asked_beyond_rules) == (True, True, False)
    assert rating.comment == "Chị Hoa hướng dẫn rất tận tình, cảm ơn chị!"
    assert rating.official_id == people["Lê Thị Hoa"] and rating.contact is None and not rating.flagged

    await citizen.goto(address, "again-today")
    assert await page.locator("form.rate").count() == 0  # one rating per device and desk a day
    await citizen.goto(f"{address}?lang=en", "english")
    assert await page.get_attribute("html", "lang") == "en"
