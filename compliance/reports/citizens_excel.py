"""The report's Excel sheets of letters to citizens and of the units' stars (issue 16), beside its
satisfaction sheet. Labels arrive translated; this module lays the numbers out. Units only: no person,
no citizen's name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from compliance.feedback.letters import LetterCounts
from compliance.feedback.stars import Ranking
from compliance.reports.citizens import ReportLetters, ReportStars
from compliance.reports.emulation_excel import StarsLabels, stars_row
from compliance.reports.rollup import Report
from compliance.reports.xlsx import SheetsWorkbook, Styled, column_widths, unique_title


@dataclass(frozen=True)
class CitizensLabels:
    letters_sheet: str
    letters_columns: Sequence[str]  # see letters_row
    stars_sheet: str
    stars_columns: Sequence[str]  # emulation_excel.stars_header, for the report's rubric
    stars: StarsLabels | None  # None: the report has no stars (the rubric could not be read)


def letters_row(name: str, code: str, counts: LetterCounts) -> list[object]:
    return [name, code, counts.apologies, counts.on_time, counts.apologies - counts.on_time, counts.thanks]


def add_letters_sheet(
    workbook: SheetsWorkbook,
    used: set[str],
    *,
    labels: CitizensLabels,
    total_label: str,
    report: Report,
    letters: ReportLetters,
    header_style: str,
) -> None:
    """Each unit's subtree (indented by depth) and the report's total, the dashboard's figure."""
    rows = [
        letters_row("  " * line.depth + line.name, line.code, letters.of(line.unit_id))
        for line in report.units
    ]
    rows.append(letters_row(total_label, "", letters.total))
    workbook.table(
        unique_title(labels.letters_sheet, used),
        rows=[[Styled(column, header_style) for column in labels.letters_columns], *rows],
        widths=column_widths(labels.letters_columns, rows),
        filter_rows=len(rows) + 1,
    )


def add_stars_sheet(
    workbook: SheetsWorkbook,
    used: set[str],
    *,
    labels: CitizensLabels,
    stars: ReportStars,
    header_style: str,
) -> None:
    """The ranking page's rows (each measure's inputs and points, the total, the stars, the rank among the
    unit's peers in the whole office), best first; below them the period and the rubric's source."""
    assert labels.stars is not None
    ranked = Ranking(stars.rubric, stars.period, stars.units).ranked()
    rows = [stars_row(unit, labels.stars) for unit in ranked]
    workbook.table(
        unique_title(labels.stars_sheet, used),
        rows=[
            [Styled(column, header_style) for column in labels.stars_columns],
            *rows,
            [],
            [labels.stars.title],
            [labels.stars.source],
        ],
        widths=column_widths(labels.stars_columns, rows),
        filter_rows=len(rows) + 1,
    )
