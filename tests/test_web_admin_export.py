"""The emulation export as downloads: the workbook opens, one sheet per unit, its people in it."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from storage.clock import local_today
from storage.engine import Database
from storage.models import Unit
from tests.web_admin_office import populate, signed_in_as

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


async def test_the_workbook_downloads_for_the_office_and_for_a_unit(database: Database) -> None:
    people = await populate(database)
    year = local_today().year
    quarter = (local_today().month - 1) // 3 + 1  # the list was imported now: earlier quarters are empty
    async with signed_in_as(database, people, "admin") as client:
        form = await client.get("/admin/export")
        assert form.status_code == 200 and f'value="{year}Q1"' in form.text
        whole = await client.get("/admin/export/download", params={"period": str(year)})
        assert whole.status_code == 200
        assert whole.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert f'filename="emulation-review-{year}.xlsx"' in whole.headers["content-disposition"]
        book = load_workbook(io.BytesIO(whole.content), read_only=True)
        names = {str(row[0]) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)}
        assert {"Nguyễn Thị Lan", "Trần Văn Bình", "Vũ Thị Quản"} <= names
        async with database.unit_of_work() as session:
            code = await session.scalar(select(Unit.code).where(Unit.name == "Văn phòng"))
        one = await client.get("/admin/export/download", params={"period": f"{year}q{quarter}", "unit": code})
        assert one.status_code == 200
        book = load_workbook(io.BytesIO(one.content), read_only=True)
        names = {str(row[0]) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)}
        assert "Phạm Minh Châu" in names and "Nguyễn Thị Lan" not in names


async def test_a_wrong_period_or_unit_is_said_beside_the_field(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin") as client:
        bad = await client.get("/admin/export/download", params={"period": "2027Q5"})
        assert bad.status_code == 400 and 'id="period-error"' in bad.text
        unknown = await client.get("/admin/export/download", params={"period": "2027", "unit": HOSTILE})
        assert unknown.status_code == 400 and 'id="unit-error"' in unknown.text
        assert "<script>alert" not in unknown.text and "<img src=x" not in unknown.text
