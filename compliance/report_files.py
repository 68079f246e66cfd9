"""A report as files: an Excel workbook and a PNG chart. Labels arrive translated (texts live in the
catalogs); this module only lays the numbers out."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from compliance.reports import Figures, Report

matplotlib.use("Agg")  # files only, no screen
from matplotlib import pyplot

BOLD = Font(bold=True)  # one style object shared by every header cell
SHEET_NAME_LIMIT = 31
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")


@dataclass(frozen=True)
class ReportLabels:
    summary_sheet: str
    columns: Sequence[str]  # unit, code, active, signed, signed %, on time, late, missed, on-time %,
    # quiz %, quiz average, reminders read %
    lapses_heading: Sequence[str]  # name, lapse
    lapse_names: dict[str, str]
    period: str
    total: str
    chart_title: str
    series: Sequence[str]  # signed %, self-checks on time %, reminders read %
    trend_title: str


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


def _sheet_table(sheet: object, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(sheet, Worksheet)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, title in enumerate(header, start=1):
        width = max([len(str(title))] + [len(str(r[index - 1])) for r in rows if r[index - 1] is not None])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(10, width + 2), 60)


def excel_report(report: Report, labels: ReportLabels) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    assert isinstance(summary, Worksheet)
    summary.title = labels.summary_sheet[:SHEET_NAME_LIMIT]
    rows = [_row("  " * line.depth + line.name, line.code, line.subtree) for line in report.units]
    rows.append(_row(labels.total, "", report.total))
    _sheet_table(summary, labels.columns, rows)
    for column in PERCENT_COLUMNS:
        for cell in summary[get_column_letter(column)][1:]:
            cell.number_format = "0.0%"
    summary.append([])
    summary.append([labels.period])
    used: set[str] = {summary.title}
    lapses_by_unit: dict[str, list[list[object]]] = {}
    for lapse in report.lapses:
        lapses_by_unit.setdefault(lapse.unit_name, []).append(
            [lapse.full_name, labels.lapse_names[lapse.kind]]
        )
    for line in report.units:
        name = line.code[:SHEET_NAME_LIMIT]
        n = 2
        while name in used:
            name = f"{line.code[: SHEET_NAME_LIMIT - 4]}-{n}"
            n += 1
        used.add(name)
        sheet = workbook.create_sheet(name)
        _sheet_table(sheet, labels.columns, [_row(line.name, line.code, line.own)])
        for column in PERCENT_COLUMNS:
            sheet.cell(row=2, column=column).number_format = "0.0%"
        if line.name in lapses_by_unit:
            sheet.append([])
            sheet.append(list(labels.lapses_heading))
            for lapse_row in lapses_by_unit[line.name]:
                sheet.append(lapse_row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def chart_png(report: Report, labels: ReportLabels, weekly: Sequence[tuple[str, float | None]]) -> bytes:
    """Bars of the key rates per unit directly below the root, and a line of the last weeks' on-time rate."""
    top = min((line.depth for line in report.units), default=0)
    shown = [line for line in report.units if line.depth == top + 1] or [
        line for line in report.units if line.depth == top
    ]
    shown = shown[:15]
    figure, (bars, trend) = pyplot.subplots(2, 1, figsize=(10, 8), dpi=100, height_ratios=[3, 2])
    pyplot.rcParams["font.family"] = "DejaVu Sans"  # matplotlib's own font, with every Vietnamese glyph
    width = 0.27
    positions = range(len(shown))
    for offset, (series, values) in enumerate(
        zip(
            labels.series,
            (
                [(line.subtree.signed_rate or 0) * 100 for line in shown],
                [(line.subtree.on_time_rate or 0) * 100 for line in shown],
                [(line.subtree.read_rate or 0) * 100 for line in shown],
            ),
            strict=True,
        )
    ):
        bars.bar([p + (offset - 1) * width for p in positions], values, width, label=series)
    bars.set_xticks(list(positions), [line.name for line in shown], rotation=20, ha="right", fontsize=8)
    bars.set_ylim(0, 100)
    bars.set_ylabel("%")
    bars.set_title(labels.chart_title)
    bars.legend(fontsize=8)
    trend.plot([week for week, _ in weekly], [(v or 0) * 100 for _, v in weekly], marker="o")
    trend.set_ylim(0, 100)
    trend.set_title(labels.trend_title)
    trend.tick_params(axis="x", labelsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return buffer.getvalue()
