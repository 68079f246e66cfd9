"""Citizens' satisfaction beside a compliance report (issue 16): the same subtree and period, each unit's
line and the total, for the chat's /report, the Excel's "Hài lòng" sheet and the weekly summaries.

One call of unit_figures for every unit of the report (a province's 2 000 at once): the figures are the
dashboard's for the same unit and period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from compliance.reports.period import Period
from compliance.reports.rollup import Report
from compliance.reports.satisfaction import SatisfactionFigures, period_bounds, unit_figures
from compliance.reports.xlsx import SheetsWorkbook, Styled, column_widths, unique_title


class SheetUnit(Protocol):
    """A unit as the satisfaction figures and their sheet read it: a report's UnitLine, or a review's
    ReviewUnit."""

    @property
    def unit_id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def code(self) -> str: ...

    @property
    def depth(self) -> int: ...


@dataclass(frozen=True)
class ReviewUnit:
    """A unit of the emulation review (compliance.reports.review), for its satisfaction sheet."""

    unit_id: int
    name: str
    code: str
    depth: int


@dataclass(frozen=True)
class ReportSatisfaction:
    total: SatisfactionFigures
    by_unit: dict[int, SatisfactionFigures]  # each report unit's subtree
    # The same units in the period before (Period.previous): the trend beside each figure.
    previous_total: SatisfactionFigures = field(default_factory=SatisfactionFigures)
    previous_by_unit: dict[int, SatisfactionFigures] = field(default_factory=dict)

    def of(self, unit_id: int) -> SatisfactionFigures:
        return self.by_unit.get(unit_id, SatisfactionFigures())

    def before(self, unit_id: int) -> SatisfactionFigures:
        return self.previous_by_unit.get(unit_id, SatisfactionFigures())


def _tops(lines: Sequence[SheetUnit]) -> list[int]:
    """The report's top units (the root, or the office's top units): their subtrees make the total."""
    if not lines:
        return []
    top = min(line.depth for line in lines)
    return [line.unit_id for line in lines if line.depth == top]


async def _figures(
    session: AsyncSession, lines: Sequence[SheetUnit], period: Period
) -> tuple[SatisfactionFigures, dict[int, SatisfactionFigures]]:
    start, end = period_bounds(period)
    by_unit = await unit_figures(session, unit_ids=[line.unit_id for line in lines], start=start, end=end)
    total = SatisfactionFigures()
    for unit_id in _tops(lines):
        total.add(by_unit[unit_id])
    return total, by_unit


async def units_satisfaction(
    session: AsyncSession, lines: Sequence[SheetUnit], period: Period
) -> ReportSatisfaction:
    """The units' figures for `period` and for the period before it, read the same way (the roll-up's days
    and months), so a trend compares like with like."""
    total, by_unit = await _figures(session, lines, period)
    previous_total, previous_by_unit = await _figures(session, lines, period.previous())
    return ReportSatisfaction(total, by_unit, previous_total, previous_by_unit)


@dataclass(frozen=True)
class SatisfactionSheet:
    """A "Hài lòng" sheet (the report's Excel, the emulation review): its figures, its units and its labels,
    translated by the caller."""

    satisfaction: ReportSatisfaction
    lines: Sequence[SheetUnit]
    title: str
    columns: Sequence[str]
    total_label: str


async def report_satisfaction(session: AsyncSession, report: Report) -> ReportSatisfaction:
    """The satisfaction figures of the report's units for its period."""
    return await units_satisfaction(session, report.units, report.period)


def satisfaction_row(
    name: str, code: str, f: SatisfactionFigures, before: SatisfactionFigures
) -> list[object]:
    """A line of the "Hài lòng" sheet: the columns of handlers.views.report_files.satisfaction_columns, in
    their order; `before` is the same units' period before (the trend)."""
    return [
        name,
        code,
        f.ratings,
        f.satisfied,
        f.index,
        before.index,
        *reversed(f.overall),  # the forms list "very satisfied" first
        f.attitude_index,
        *f.trips,
        f.asked_beyond_rules,
        f.flags,
        f.flags_followed,
        f.flags_resolved,
    ]


SATISFACTION_PERCENTS = (4, 5, 11)  # 0-based columns of satisfaction_row shown as percentages


def add_satisfaction_sheet(
    workbook: SheetsWorkbook,
    used: set[str],
    sheet: SatisfactionSheet,
    *,
    header_style: str,
    percent_style: str,
) -> None:
    """Each unit's subtree (indented by depth) and the total; no comment, no contact: figures only."""
    satisfaction = sheet.satisfaction
    rows = [
        satisfaction_row(
            "  " * line.depth + line.name,
            line.code,
            satisfaction.of(line.unit_id),
            satisfaction.before(line.unit_id),
        )
        for line in sheet.lines
    ]
    rows.append(satisfaction_row(sheet.total_label, "", satisfaction.total, satisfaction.previous_total))
    workbook.table(
        unique_title(sheet.title, used),
        rows=[[Styled(column, header_style) for column in sheet.columns], *rows],
        widths=column_widths(sheet.columns, rows),
        styles=dict.fromkeys(SATISFACTION_PERCENTS, percent_style),
        filter_rows=len(rows) + 1,
    )
