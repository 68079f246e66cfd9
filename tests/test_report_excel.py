"""The report's Excel file read back with openpyxl: each sheet's layout and figures as a reader sees them."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet._writer import ALL_TEMP_FILES
from openpyxl.worksheet.worksheet import Worksheet

from compliance import reports
from compliance.report_files import excel_report
from compliance.reports import Figures, Lapse, Period, Report, UnitLine
from compliance.review_export import OfficialRow, review_workbook
from compliance.xlsx import SheetsWorkbook, column_widths, unique_title
from handlers.i18n import use_locale
from handlers.report import labels
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
    assert workbook.sheetnames == [names.summary_sheet, "so-gtvt", "van-phong", "phong-quan-ly-van-tai"]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert [cell.value for cell in sheet[1]] == list(names.columns)
        assert all(cell.font.b and cell.fill.fgColor.rgb == "00DDE7F0" for cell in sheet[1])
        assert sheet.column_dimensions["A"].width >= 10
    summary = workbook.worksheets[0]
    assert summary.auto_filter.ref == "A1:L5"  # header, three units, total
    rows = list(summary.iter_rows(min_row=2, max_row=5, values_only=True))
    assert [r[0] for r in rows] == ["Sở GTVT", "  Văn phòng", "  Phòng Quản lý vận tải", names.total]
    assert rows[0][2:4] == (4, 2) and rows[3][2:5] == (4, 2, 0.5)  # the Sở's subtree is the whole office
    assert all(summary.cell(row=r, column=c).number_format == "0.0%" for r in (2, 5) for c in (5, 9, 10, 12))
    assert summary.cell(row=2, column=3).number_format == "General"
    period_row = [cell.value for cell in summary[7]][:3]
    assert period_row[0] == names.period
    assert period_row[1:] == [datetime(2026, 11, 16), datetime(2026, 11, 22)]  # dates, not text
    assert summary.cell(row=7, column=2).number_format == "DD/MM/YYYY"
    unit = workbook["phong-quan-ly-van-tai"]
    assert unit.auto_filter.ref == "A1:L2"
    own = [cell.value for cell in unit[2]]
    assert own[:5] == ["Phòng Quản lý vận tải", "phong-quan-ly-van-tai", 2, 1, 0.5]
    assert unit.cell(row=2, column=9).number_format == "0.0%"
    assert [c.value for c in unit[4]][:2] == list(names.lapses_heading)
    lapse_rows = {tuple(r[:2]) for r in unit.iter_rows(min_row=5, values_only=True)}
    lapse_names = names.lapse_names
    assert lapse_rows == {
        ("Đỗ Quang Huy", lapse_names["not_signed"]),
        ("Đỗ Quang Huy", lapse_names["missed_twice"]),
        ("Đỗ Quang Huy", lapse_names["never_read"]),
    }
    # the lapse column is wide enough for its longest text
    assert unit.column_dimensions["B"].width == len(lapse_names["missed_twice"]) + 2
    assert [r[0] for r in workbook["so-gtvt"].iter_rows(min_row=3, values_only=True)] == []  # no lapses


def test_units_with_the_same_name_keep_their_own_lapses() -> None:
    figures = Figures(active=1)
    lines = [UnitLine(n, "Tổ 1", "to-1", 0, figures, figures) for n in (1, 2)]
    lapses = [
        Lapse(10, "Trần Văn A", "Tổ 1", "not_signed", 1),
        Lapse(11, "Lý Thị B", "Tổ 1", "never_read", 2),
    ]
    report = Report(None, Period(PERIOD.start, PERIOD.end), lines, figures, Figures(), lapses)
    with use_locale("en"):
        workbook = load_workbook(io.BytesIO(excel_report(report, labels(PERIOD))))
    assert workbook.sheetnames[1:] == ["to-1", "to-1-2"]
    assert [r[0] for r in workbook["to-1"].iter_rows(min_row=5, values_only=True)] == ["Trần Văn A"]
    assert [r[0] for r in workbook["to-1-2"].iter_rows(min_row=5, values_only=True)] == ["Lý Thị B"]


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
    units = [Unit(id=1, code="to-1", name="Tổ 1"), Unit(id=2, code="TO-1", name="Tổ 1 khác")]
    rows = [
        OfficialRow(10, "Trần Văn A", "Chuyên viên", 1, date(2027, 1, 5), 10, 2, 1, 12, 9.6, 60, 45),
        OfficialRow(11, "Lý Thị B", None, 1),
    ]
    header = [f"cột {n}" for n in range(11)]
    workbook = load_workbook(io.BytesIO(review_workbook(units, rows, header)))
    assert workbook.sheetnames == ["to-1", "TO-1-2"]  # Excel would take the second for the first
    sheet = workbook["to-1"]
    assert isinstance(sheet, Worksheet)
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:K3")
    assert [c.value for c in sheet[1]] == header and all(c.font.b for c in sheet[1])
    first = [c.value for c in sheet[2]]
    assert first[:8] == ["Trần Văn A", "Chuyên viên", "Tổ 1", datetime(2027, 1, 5), 10, 2, 1, 12]
    assert first[8:10] == [pytest.approx(0.8), pytest.approx(0.75)]
    assert sheet.cell(row=2, column=4).number_format == "DD/MM/YYYY"
    assert {sheet.cell(row=2, column=c).number_format for c in (9, 10)} == {"0.0%"}
    assert [c.value for c in sheet[3]][3:10] == [None, 0, 0, 0, 0, None, None]
    empty = workbook["TO-1-2"]
    assert isinstance(empty, Worksheet)
    assert (empty.max_row, empty.auto_filter.ref) == (1, "A1:K1")
