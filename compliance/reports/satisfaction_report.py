"""Citizens' satisfaction beside a compliance report (issue 16): the same subtree and period, each unit's
line and the total, for the chat's /report, the Excel's "Hài lòng" sheet and the weekly summaries.

One call of unit_figures for every unit of the report (a province's 2 000 at once): the figures are the
dashboard's for the same unit and period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from compliance.reports.period import Period
from compliance.reports.rollup import Report, UnitLine
from compliance.reports.satisfaction import SatisfactionFigures, period_bounds, unit_figures
from compliance.reports.xlsx import SheetsWorkbook, Styled, column_widths, unique_title


@dataclass(frozen=True)
class ReportSatisfaction:
    total: SatisfactionFigures
    by_unit: dict[int, SatisfactionFigures]  # each report unit's subtree

    def of(self, unit_id: int) -> SatisfactionFigures:
        return self.by_unit.get(unit_id, SatisfactionFigures())


def _tops(lines: Sequence[UnitLine]) -> list[int]:
    """The report's top units (the root, or the office's top units): their subtrees make the total."""
    if not lines:
        return []
    top = min(line.depth for line in lines)
    return [line.unit_id for line in lines if line.depth == top]


async def units_satisfaction(
    session: AsyncSession, lines: Sequence[UnitLine], period: Period
) -> ReportSatisfaction:
    start, end = period_bounds(period)
    by_unit = await unit_figures(session, unit_ids=[line.unit_id for line in lines], start=start, end=end)
    total = SatisfactionFigures()
    for unit_id in _tops(lines):
        total.add(by_unit[unit_id])
    return ReportSatisfaction(total, by_unit)


async def report_satisfaction(session: AsyncSession, report: Report) -> ReportSatisfaction:
    """The satisfaction figures of the report's units for its period."""
    return await units_satisfaction(session, report.units, report.period)


def satisfaction_row(name: str, code: str, f: SatisfactionFigures) -> list[object]:
    """A line of the "Hài lòng" sheet: the columns of SatisfactionLabels.columns, in their order."""
    return [
        name,
        code,
        f.ratings,
        f.satisfied,
        f.index,
        *reversed(f.overall),  # the forms list "very satisfied" first
        f.attitude_index,
        *f.trips,
        f.asked_beyond_rules,
        f.flags,
        f.flags_followed,
        f.flags_resolved,
    ]


SATISFACTION_PERCENTS = (4, 10)  # 0-based columns of satisfaction_row shown as percentages


def add_satisfaction_sheet(
    workbook: SheetsWorkbook,
    used: set[str],
    *,
    title: str,
    columns: Sequence[str],
    total_label: str,
    report: Report,
    satisfaction: ReportSatisfaction,
    header_style: str,
    percent_style: str,
) -> None:
    """Each unit's subtree (indented by depth) and the total; no comment, no contact: figures only."""
    rows = [
        satisfaction_row("  " * line.depth + line.name, line.code, satisfaction.of(line.unit_id))
        for line in report.units
    ]
    rows.append(satisfaction_row(total_label, "", satisfaction.total))
    workbook.table(
        unique_title(title, used),
        rows=[[Styled(column, header_style) for column in columns], *rows],
        widths=column_widths(columns, rows),
        styles=dict.fromkeys(SATISFACTION_PERCENTS, percent_style),
        filter_rows=len(rows) + 1,
    )
