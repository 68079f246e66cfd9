"""A one-stop desk official writes an apology slip on a 360 px phone: from their page to the letters, the form
(a mistake refused at its field), the preview, the letter issued, its PDF downloaded and read back."""

from __future__ import annotations

from datetime import timedelta

import pypdfium2 as pdfium  # type: ignore[import-untyped]
from playwright.async_api import ViewportSize
from sqlalchemy import select

from compliance.feedback.points import create_point
from storage.clock import local_today
from storage.engine import Database
from storage.models import Unit
from tests.browser.conftest import Visitor, Visitors
from tests.browser.people import official_named
from tests.browser.server import WebServer
from tests.browser.test_every_page import SMALL_BUTTONS, UNLABELLED
from tests.test_letters import apology_fields, working_day_after

NARROW: ViewportSize = {"width": 360, "height": 740}


async def _fits(visitor: Visitor, name: str) -> None:
    await visitor.shot(name)
    page = visitor.page
    assert await page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], name
    assert await page.evaluate(UNLABELLED) == [], name
    assert await page.evaluate(SMALL_BUTTONS) == [], name


async def test_a_desk_official_writes_an_apology_on_a_phone(
    office: Database, web: WebServer, visitors: Visitors
) -> None:
    async with office.unit_of_work() as session:
        unit = (await session.scalars(select(Unit).where(Unit.name == "Văn phòng"))).one()
        await create_point(session, unit=unit, desk="Quầy số 1", actor=None)
    chau = await official_named(office, "Phạm Minh Châu")
    today = local_today()
    new = await working_day_after(office, today + timedelta(days=1))
    phone = await visitors.new("chau", viewport=NARROW)
    await phone.goto(await web.link_for(chau.id), "my-page")
    page = phone.page
    await page.click("nav >> a[href='/letters']")
    await _fits(phone, "letters")
    await page.click("a[href*='template=xin-loi']")
    await _fits(phone, "form")
    for name, value in apology_fields(today, new, new_date="31/02/2027").items():
        await page.fill(f"#{name}", value)
    await page.click("button[value=preview]")
    await _fits(phone, "refused")
    assert await page.locator("#new_date-error").count() == 1
    await page.fill("#new_date", new.strftime("%d/%m/%Y"))
    await page.click("button[value=preview]")
    await _fits(phone, "preview")
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in await page.inner_text("main")
    await page.click("button[value=issue]")
    await _fits(phone, "issued")
    async with page.expect_download() as waiting:
        await page.click("p.success a[download]")
    saved = await (await waiting.value).path()
    assert saved is not None
    document = pdfium.PdfDocument(saved.read_bytes())
    try:
        text = " ".join(document[0].get_textpage().get_text_range().split())
    finally:
        document.close()
    assert "Số: 1/PXL" in text and "Nguyễn Văn An" in text and new.strftime("%d/%m/%Y") in text
