"""A report as an Excel workbook (its chart: compliance.report_chart). Labels arrive translated (texts live
in the catalogs); this module only lays the numbers out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.styles import Font, NamedStyle, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from compliance.reports import Figures, Report
from compliance.xlsx import SheetsWorkbook, collector_paused, column_widths, styled, unique_title

HEADER_STYLE = "ckb-header"
PERCENT_STYLE = "ckb-percent"
DATE_STYLE = "ckb-date"


@dataclass(frozen=True)
class ReportLabels:
    summary_sheet: str
    columns: Sequence[str]  # unit, code, active, signed, signed %, on time, late, missed, on-time %,
    # quiz %, quiz average, reminders read %
    lapses_heading: Sequence[str]  # name, lapse
    lapse_names: dict[str, str]
    period: str
    total: str


def _row(name: str, code: str, figures: Figures) -> list[object]:
    return [
        name,
        code,
        figures.active,
        figures.signed,
        figures.signed_rate,
        figures.checks_on_time,
        figures.checks_late,
        figures.checks_missed,
        figures.on_time_rate,
        figures.quiz_rate,
        figures.quiz_average,
        figures.read_rate,
    ]


PERCENT_COLUMNS = (5, 9, 10, 11, 12)


def _styles() -> list[NamedStyle]:
    return [
        NamedStyle(HEADER_STYLE, font=Font(bold=True), fill=PatternFill("solid", fgColor="DDE7F0")),
        NamedStyle(PERCENT_STYLE, number_format="0.0%"),
        NamedStyle(DATE_STYLE, number_format="DD/MM/YYYY"),
    ]


def _table(sheet: WriteOnlyWorksheet, header: Sequence[object], rows: Sequence[Sequence[object]]) -> None:
    sheet.append(header)
    for row in rows:
        cells = list(row)
        for column in PERCENT_COLUMNS:
            if cells[column - 1] is not None:
                cells[column - 1] = styled(sheet, cells[column - 1], PERCENT_STYLE)
        sheet.append(cells)


def excel_report(report: Report, labels: ReportLabels) -> bytes:
    """A summary sheet (the subtree figures of every unit, indented by depth, the total, and the period
    with its first and last day as dates) and a sheet per unit (its own members' figures and their lapses
    by name); each with a frozen header row and filters, rates formatted as percentages."""
    with collector_paused():
        return _workbook(report, labels)


def _workbook(report: Report, labels: ReportLabels) -> bytes:
    workbook = SheetsWorkbook(_styles())
    used: set[str] = set()
    rows = [_row("  " * line.depth + line.name, line.code, line.subtree) for line in report.units]
    rows.append(_row(labels.total, "", report.total))
    summary = workbook.sheet(
        unique_title(labels.summary_sheet, used),
        widths=column_widths(labels.columns, rows),
        filter_rows=len(rows) + 1,
    )
    # The header's cells, styled once: a write-only sheet writes a cell as it is appended and keeps
    # nothing of it, so the same cells serve every sheet of the workbook.
    header = [styled(summary, title, HEADER_STYLE) for title in labels.columns]
    _table(summary, header, rows)
    summary.append([])
    summary.append(
        [
            labels.period,
            styled(summary, report.period.start, DATE_STYLE),
            styled(summary, report.period.end, DATE_STYLE),
        ]
    )
    summary.close()
    lapses_by_unit: dict[int, list[list[object]]] = {}
    for lapse in report.lapses:
        lapses_by_unit.setdefault(lapse.unit_id, []).append([lapse.full_name, labels.lapse_names[lapse.kind]])
    for line in report.units:
        row = _row(line.name, line.code, line.own)
        lapses = lapses_by_unit.get(line.unit_id, [])
        sheet = workbook.sheet(
            unique_title(line.code, used),
            widths=column_widths(labels.columns, [row, *lapses]),
            filter_rows=2,
        )
        _table(sheet, header, [row])
        if lapses:
            sheet.append([])
            sheet.append(list(labels.lapses_heading))
            for lapse_row in lapses:
                sheet.append(lapse_row)
        sheet.close()  # its XML complete: the writer's buffers are freed now rather than at the end
    return workbook.to_bytes()
