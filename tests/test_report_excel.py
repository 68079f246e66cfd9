"""The report's Excel file read back with openpyxl: each sheet's layout and figures as a reader sees them."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet._writer import ALL_TEMP_FILES
from openpyxl.worksheet.worksheet import Worksheet

from compliance.office.units import get_unit_by_code
from compliance.reports import rollup as reports
from compliance.reports.files import excel_report
from compliance.reports.review import OfficialRow, review_workbook
from compliance.reports.xlsx import SheetsWorkbook, column_widths, unique_title
from handlers.i18n import use_locale
from handlers.views.report_files import labels
from storage.engine import Database
from storage.models import Unit
from tests.test_reports import PERIOD, office  # noqa: F401 - the fixture


async def test_the_office_workbook_read_back(office: Database) -> None:  # noqa: F811
    async with office.unit_of_work() as session:
        report = await reports.build_report(session, root=None, period=PERIOD)
    with use_locale("vi"):
        names = labels(PERIOD)
        content = excel_report(report, names)
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Đơn vị", "Cán bộ"]  # two sheets whatever the reach, named in Vietnamese
    units, people = workbook.worksheets
    for sheet, header in ((units, names.unit_columns), (people, names.people_columns)):
        assert sheet.freeze_panes == "A2"
        assert [cell.value for cell in sheet[1]] == list(header)
        assert all(cell.font.b and cell.fill.fgColor.rgb == "00DDE7F0" for cell in sheet[1])
        assert sheet.column_dimensions["A"].width >= 10
    assert units.auto_filter.ref == "A1:R5"  # header, three units, total
    rows = list(units.iter_rows(min_row=2, max_row=5, values_only=True))
    # siblings in Vietnamese order: "Phòng…" before "Văn phòng", whichever was created first
    assert [r[0] for r in rows] == ["Sở GTVT", "  Phòng Quản lý vận tải", "  Văn phòng", names.total]
    # on the list, joined, joined %, signed, signed %, self-checks done, due, done %
    assert rows[0][2:10] == (5, 4, 0.8, 2, 0.4, 3, 5, 0.6)  # the Sở's subtree is the whole office
    assert rows[1][2:10] == (2, 2, 1.0, 1, 0.5, 1, 2, 0.5)
    # signed in the period's year (2026), whatever the version: the last column
    assert [r[17] for r in rows] == [2, 1, 1, 2]
    assert all(units.cell(row=r, column=c).number_format == "0.0%" for r in (2, 5) for c in (5, 7, 10, 15))
    assert units.cell(row=2, column=3).number_format == "General"
    period_row = [cell.value for cell in units[7]][:3]
    assert period_row[0] == names.period
    assert period_row[1:] == [datetime(2026, 11, 16), datetime(2026, 11, 22)]  # dates, not text
    assert units.cell(row=7, column=2).number_format == "DD/MM/YYYY"
    # everyone on the list, not only those with a lapse, unit by unit
    assert people.auto_filter.ref == "A1:L6"
    by_name = {row[0]: row for row in people.iter_rows(min_row=2, values_only=True)}
    # unit by unit as the tree goes, then by the given name (Vietnamese order)
    assert list(by_name) == [
        "Trần Văn Bình",
        "Đỗ Quang Huy",
        "Nguyễn Thị Lan",
        "Phạm Minh Châu",
        "Lê Thị Hoa",
    ]
    states, lapse_names = names.states, names.lapse_names
    binh, lan, huy = by_name["Trần Văn Bình"], by_name["Nguyễn Thị Lan"], by_name["Đỗ Quang Huy"]
    assert binh[2:5] == ("Sở GTVT", states["not_joined"], states["not_signed"])
    assert binh[11] == lapse_names["not_joined"]
    assert lan[2:4] == ("Phòng Quản lý vận tải", states["joined"]) and isinstance(lan[4], datetime)
    assert lan[5:9] == (1, 0, 0, 1) and lan[11] is None
    assert lan[9] == pytest.approx(0.8) and lan[10] == pytest.approx(2 / 3)
    assert huy[4:8] == (states["not_signed"], 0, 0, 1)
    assert huy[11] == "; ".join(lapse_names[k] for k in ("not_signed", "missed_twice", "never_read"))
    assert people.cell(row=6, column=5).number_format == "DD/MM/YYYY"  # Lan: signed, a quiz taken
    assert people.cell(row=6, column=10).number_format == "0.0%"


async def test_a_head_gets_a_workbook_of_their_reach_only(office: Database) -> None:  # noqa: F811
    async with office.unit_of_work() as session:
        unit = await get_unit_by_code(session, "van-phong")
        report = await reports.build_report(session, root=unit, period=PERIOD)
    with use_locale("en"):
        names = labels(PERIOD)
        workbook = load_workbook(io.BytesIO(excel_report(report, names)))
    assert workbook.sheetnames == ["Units", "People"]
    people = [row[0] for row in workbook["People"].iter_rows(min_row=2, values_only=True)]
    assert people == ["Phạm Minh Châu", "Lê Thị Hoa"]  # Vietnamese order: by the given name


def test_many_sheets_unique_names_widths_and_no_temporary_files() -> None:
    used: set[str] = set()
    titles = [unique_title(code, used) for code in ("Tổ-A", "tổ-a", "x" * 40, "x" * 40)]
    assert titles == ["Tổ-A", "tổ-a-2", "x" * 31, "x" * 27 + "-2"]  # Excel ignores case in sheet names
    workbook = SheetsWorkbook()
    header = ["Đơn vị", "Mã", "Số", "Số 2"]
    rows: list[list[object]] = [["Phòng Tổ chức cán bộ", "tccb", 1, 2], ["ngắn"]]
    widths = column_widths(header, rows)
    assert widths == [22.0, 10.0, 10.0, 10.0]
    for title in titles:
        sheet = workbook.sheet(title, widths=widths, filter_rows=3)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        sheet.close()
        assert not ALL_TEMP_FILES  # written in memory (openpyxl's own writer would keep a file until saved)
    assert workbook.sheetnames == titles
    content = workbook.to_bytes()
    read = load_workbook(io.BytesIO(content))
    assert read.sheetnames == titles
    back = read[titles[1]]
    assert isinstance(back, Worksheet)
    assert (back.freeze_panes, back.auto_filter.ref) == ("A2", "A1:D3")
    assert [c.value for c in back[2]] == ["Phòng Tổ chức cán bộ", "tccb", 1, 2]
    # columns of the same width share one <col> element; openpyxl reads it back as a range from B
    assert back.column_dimensions["A"].width == 22
    assert (back.column_dimensions["B"].min, back.column_dimensions["B"].max) == (2, 4)
    assert back.column_dimensions["B"].width == 10


def test_the_review_workbook_keeps_its_layout() -> None:
    long_name = "Trung tâm Phục vụ hành chính công tỉnh"
    units = [
        Unit(id=1, code="to-1", name="Tổ 1"),
        Unit(id=2, code="to-1-b", name="tổ 1"),
        Unit(id=3, code="tt", name=long_name),
    ]
    rows = [
        OfficialRow(10, "Trần Văn A", "Chuyên viên", 1, date(2027, 1, 5), 10, 2, 1, 12, 9.6, 60, 45),
        OfficialRow(11, "Lý Thị B", None, 1),
    ]
    header = [f"cột {n}" for n in range(11)]
    workbook = load_workbook(io.BytesIO(review_workbook(units, rows, header)))
    # the units' names, cut to Excel's 31 characters, unique without case as Excel compares them
    assert workbook.sheetnames == ["Tổ 1", "tổ 1-2", long_name[:31]]
    sheet = workbook["Tổ 1"]
    assert isinstance(sheet, Worksheet)
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:K3")
    assert [c.value for c in sheet[1]] == header and all(c.font.b for c in sheet[1])
    first = [c.value for c in sheet[2]]
    assert first[:8] == ["Trần Văn A", "Chuyên viên", "Tổ 1", datetime(2027, 1, 5), 10, 2, 1, 12]
    assert first[8:10] == [pytest.approx(0.8), pytest.approx(0.75)]
    assert sheet.cell(row=2, column=4).number_format == "DD/MM/YYYY"
    assert {sheet.cell(row=2, column=c).number_format for c in (9, 10)} == {"0.0%"}
    assert [c.value for c in sheet[3]][3:10] == [None, 0, 0, 0, 0, None, None]
    empty = workbook["tổ 1-2"]
    assert isinstance(empty, Worksheet)
    assert (empty.max_row, empty.auto_filter.ref) == (1, "A1:K1")
