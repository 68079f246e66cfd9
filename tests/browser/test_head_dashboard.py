"""A head opens the dashboard of their Sở, filters the people who have not signed, and downloads the Excel."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from storage.engine import Database
from tests.browser.conftest import Visitors
from tests.browser.people import official_named
from tests.browser.server import WebServer


async def test_a_head_filters_the_unsigned_and_downloads_the_excel(
    office: Database, web: WebServer, visitors: Visitors
) -> None:
    binh = await official_named(office, "Trần Văn Bình")
    head = await visitors.new("binh", viewport={"width": 1280, "height": 900})
    await head.goto(await web.link_for(binh.id, next_path="/dashboard"), "dashboard")
    page = head.page
    assert page.url.startswith(f"{web.url}/dashboard")
    tables = await page.inner_text("main")
    assert "Văn phòng" in tables and "Phòng Quản lý vận tải" in tables
    assert await page.locator("svg title").count() >= 1  # every chart says what it shows

    await page.click("a[href*='status=not_signed']")
    await head.shot("not-signed")
    assert await page.locator("#status").input_value() == "not_signed"
    listed = await page.locator("table.people tbody th").all_inner_texts()
    # Lan and Hoa signed; Bình, Châu and Huy have not.
    assert sorted(listed) == sorted(["Trần Văn Bình", "Phạm Minh Châu", "Đỗ Quang Huy"])

    await page.goto(f"{web.url}/dashboard")
    async with page.expect_download() as waiting:
        await page.click("a[href^='/dashboard/report.xlsx']")
    download = await waiting.value
    saved = await download.path()
    assert saved is not None
    workbook = load_workbook(io.BytesIO(saved.read_bytes()), read_only=True)
    cells = {
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    }
    assert "Phòng Quản lý vận tải" in cells or any("Phòng Quản lý vận tải" in c for c in cells)
    await head.shot("after-download")
