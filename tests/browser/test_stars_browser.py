"""The star rating in the browser on a 360 px phone: a head goes from the dashboard to the ranking of their
units, opens how a unit's points came about and downloads the Excel; an admin corrects a unit's reform
points. Every page fits the width with labelled controls and 44 px buttons; screenshots are kept."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from storage.engine import Database
from storage.models import OfficialStatus, Role
from tests.browser.conftest import Visitor, Visitors
from tests.browser.people import official_named
from tests.browser.server import WebServer
from tests.browser.test_every_page import NARROW, SMALL_BUTTONS, UNLABELLED
from tests.consents import agree_in
from tests.factories import telegram_official
from tests.stars_office import add_star_inputs

SOURCE = "54/2025/QĐ-UBND"


async def _fits(visitor: Visitor, name: str) -> None:
    page = visitor.page
    await visitor.shot(name)
    assert await page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], name
    assert await page.evaluate(UNLABELLED) == [], name
    assert await page.evaluate(SMALL_BUTTONS) == [], name


async def test_a_head_reads_the_stars_and_an_admin_corrects_a_score(
    office: Database, web: WebServer, visitors: Visitors
) -> None:
    await add_star_inputs(office)
    binh = await official_named(office, "Trần Văn Bình")  # the Sở's head
    await agree_in(office, binh.id)  # he answered the privacy notice (its page is another test's)
    head = await visitors.new("binh", viewport=NARROW)
    await head.goto(await web.link_for(binh.id, next_path="/dashboard"), "dashboard")
    page = head.page
    await page.click("a[href='/dashboard/stars']")
    await _fits(head, "stars-this-quarter")
    assert SOURCE in await page.inner_text("#rubric-source")
    await page.goto(f"{web.url}/dashboard/stars?period=2026Q4")
    text = await page.inner_text("#ranking")
    assert "Văn phòng" in text and "Phòng Quản lý vận tải" in text and "78,83" in text
    await page.click("#detail-{} summary".format(await _unit_id(office, "Văn phòng")))
    await _fits(head, "stars-q4-detail")
    async with page.expect_download() as waiting:
        await page.click("a[href^='/dashboard/stars.xlsx']")
    saved = await (await waiting.value).path()
    assert saved is not None
    rows = list(load_workbook(io.BytesIO(saved.read_bytes())).worksheets[0].iter_rows(values_only=True))
    assert SOURCE in str(rows[1][0]) and {row[2] for row in rows[4:]} == {
        "Sở GTVT",
        "Văn phòng",
        "Phòng Quản lý vận tải",
    }

    async with office.unit_of_work() as session:
        admin = await telegram_official(
            session,
            900_779,
            full_name="Hoàng Thị Quản Trị",
            name_key="hoang thi quan tri",
            role=Role.ADMIN,
            status=OfficialStatus.ACTIVE,
        )
    await agree_in(office, admin.id)
    visitor = await visitors.new("admin", viewport=NARROW)
    await visitor.goto(await web.link_for(admin.id, next_path="/admin"), "console")
    page = visitor.page
    await page.click("a[href='/admin/stars']")
    await _fits(visitor, "scores")
    await page.goto(f"{web.url}/admin/stars?period=2026Q4")
    await page.click("#entries tr:has-text('Phòng Quản lý vận tải') a")
    await page.fill("#reform", "60")
    await page.fill("#note", "Bảng điểm CCHC quý IV/2026")
    await page.click("#entry button[type=submit]")
    await _fits(visitor, "scores-refused")
    assert await page.locator("#reform-error").count() == 1
    await page.fill("#reform", "49")
    await page.click("#entry button[type=submit]")
    await _fits(visitor, "scores-saved")
    history = await page.inner_text("#history")
    assert "Bảng điểm CCHC quý IV/2026" in history and "Sửa: bảng điểm chính thức" in history
    await page.goto(f"{web.url}/dashboard/stars?period=2026Q4")
    assert "60,25" in await page.inner_text("#ranking")  # 5 + 6,25 + 0 + 49


async def _unit_id(database: Database, name: str) -> int:
    from sqlalchemy import select

    from storage.models import Unit

    async with database.unit_of_work() as session:
        found = await session.scalar(select(Unit.id).where(Unit.name == name))
        assert found is not None
        return found
