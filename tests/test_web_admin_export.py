"""The emulation export as downloads: the workbook opens, one sheet per unit, its people in it."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from compliance.feedback.stars import StarPeriod
from storage.clock import local_today
from storage.engine import Database
from storage.models import Unit
from tests.review_stars import (
    assert_rows,
    break_the_rubric,
    give_points,
    ranked,
    satisfaction_title,
    sheet_rows,
    stars_title,
)
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


async def test_the_workbook_ends_with_the_units_stars_of_its_period_and_scope(database: Database) -> None:
    people = await populate(database)
    today = local_today()
    quarter = StarPeriod(today.year, (today.month - 1) // 3 + 1)
    async with database.unit_of_work() as session:
        code = await session.scalar(select(Unit.code).where(Unit.name == "Văn phòng"))
        sibling = await session.scalar(select(Unit.code).where(Unit.name == "Phòng Quản lý vận tải"))
    assert code is not None and sibling is not None
    await give_points(database, code, quarter)
    other = StarPeriod(today.year, 1 if quarter.quarter != 1 else 2)
    await give_points(database, code, other, reform=10.0)  # in the year's stars, not the quarter's
    async with signed_in_as(database, people, "admin") as client:
        whole = await client.get("/admin/export/download", params={"period": quarter.key})
        one = await client.get("/admin/export/download", params={"period": str(today.year), "unit": code})
        await break_the_rubric(database)
        without = await client.get("/admin/export/download", params={"period": quarter.key})
    assert whole.status_code == one.status_code == without.status_code == 200
    book = load_workbook(io.BytesIO(whole.content), read_only=True)
    assert book.sheetnames[-1] == stars_title()  # the admin reads Vietnamese
    rows = sheet_rows(book, stars_title())
    assert_rows(rows, await ranked(database, quarter))  # every unit, as the ranking page ranks it
    assert rows[code][-3] != rows[sibling][-3]  # the entered points count
    # a unit's export of the year: that subtree's stars of the whole year, ranked among the office's peers
    book = load_workbook(io.BytesIO(one.content), read_only=True)
    assert book.sheetnames == ["Văn phòng", satisfaction_title(), stars_title()]
    year = await ranked(database, StarPeriod(today.year), code)
    assert_rows(sheet_rows(book, stars_title()), year)
    assert year[0].total != rows[code][-3]  # the year's total, not the quarter's
    # the rubric file gone: the people's sheets still download, without the stars
    book = load_workbook(io.BytesIO(without.content), read_only=True)
    assert book.sheetnames == ["Sở GTVT", "Phòng Quản lý vận tải", "Văn phòng", satisfaction_title()]


async def test_a_wrong_period_or_unit_is_said_beside_the_field(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin") as client:
        bad = await client.get("/admin/export/download", params={"period": "2027Q5"})
        assert bad.status_code == 400 and 'id="period-error"' in bad.text
        unknown = await client.get("/admin/export/download", params={"period": "2027", "unit": HOSTILE})
        assert unknown.status_code == 400 and 'id="unit-error"' in unknown.text
        assert "<script>alert" not in unknown.text and "<img src=x" not in unknown.text
