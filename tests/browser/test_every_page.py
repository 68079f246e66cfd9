"""Every page, on the narrowest phone the issue names (360 px): it fits the width, every control has a
label, every button is a 44 px touch target, the page answers 200, and a screenshot of it is kept."""

from __future__ import annotations

from playwright.async_api import ViewportSize

from storage.engine import Database
from storage.models import OfficialStatus, Role
from tests.browser.conftest import Visitor, Visitors
from tests.browser.server import WebServer
from tests.factories import telegram_official

NARROW: ViewportSize = {"width": 360, "height": 740}
PAGES = (
    "/",
    "/pledge",
    "/selfcheck",
    "/quiz",
    "/updates",
    "/mydata",
    "/dashboard",
    "/dashboard/people?status=not_signed",
    "/broadcasts",
    "/broadcasts/new",
    "/admin",
    "/admin/staff",
    "/admin/units",
    "/admin/pledges",
    "/admin/calendar",
    "/admin/schedules",
    "/admin/audit",
    "/admin/export",
    "/admin/signin-link",
)
# Controls without a name a screen reader can say, and buttons smaller than a fingertip.
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(c => c.labels.length === 0 && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby'))
    .map(c => c.outerHTML.slice(0, 120))"""
SMALL_BUTTONS = """() => [...document.querySelectorAll('button, .button')]
    .filter(b => b.offsetParent !== null && b.getBoundingClientRect().height < 44)
    .map(b => b.outerHTML.slice(0, 120))"""


async def _check(visitor: Visitor, url: str, name: str) -> None:
    answer = await visitor.page.goto(url)
    assert answer is not None and answer.status == 200, f"{url}: {answer.status if answer else None}"
    await visitor.shot(name)
    page = visitor.page
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{url} is {width}px wide on a {NARROW['width']}px phone"
    assert await page.evaluate(UNLABELLED) == [], f"{url} has controls without a label"
    assert await page.evaluate(SMALL_BUTTONS) == [], f"{url} has buttons under 44 px"
    assert await page.get_attribute("html", "lang") in ("vi", "en")


async def test_every_page_fits_a_360px_phone_with_labelled_controls(
    office: Database, web: WebServer, visitors: Visitors
) -> None:
    async with office.unit_of_work() as session:
        admin = await telegram_official(
            session,
            900_778,
            full_name="Hoàng Thị Quản Trị",
            name_key="hoang thi quan tri",
            role=Role.ADMIN,
            status=OfficialStatus.ACTIVE,
        )
    stranger = await visitors.new("stranger", viewport=NARROW)
    await _check(stranger, f"{web.url}/signin", "signin")
    await _check(stranger, f"{web.url}/signed-out", "signed-out")

    visitor = await visitors.new("admin", viewport=NARROW)
    await visitor.goto(await web.link_for(admin.id), "signed-in")
    for path in PAGES:
        await _check(visitor, f"{web.url}{path}", path.strip("/").replace("/", "-").split("?")[0] or "home")
