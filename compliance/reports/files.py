"""A report as an Excel workbook (its chart: compliance.reports.chart). Labels arrive translated (texts live
in the catalogs); this module only lays the numbers out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from openpyxl.styles import Font, NamedStyle, PatternFill

from compliance.dates import EXCEL_DATE
from compliance.reports.citizens import CitizensExtras
from compliance.reports.citizens_excel import CitizensLabels, add_letters_sheet, add_stars_sheet
from compliance.reports.collector import collector_paused
from compliance.reports.rollup import Figures, Person, Report
from compliance.reports.satisfaction_report import (
    ReportSatisfaction,
    SatisfactionSheet,
    add_satisfaction_sheet,
)
from compliance.reports.xlsx import SheetsWorkbook, Styled, column_widths, unique_title
from storage.clock import LOCAL_TZ

HEADER_STYLE = "ckb-header"
PERCENT_STYLE = "ckb-percent"
DATE_STYLE = "ckb-date"


@dataclass(frozen=True)
class ReportLabels:
    units_sheet: str
    people_sheet: str
    unit_columns: Sequence[str]  # see _unit_row
    people_columns: Sequence[str]  # see _person_row
    lapse_names: dict[str, str]
    states: dict[str, str]  # "joined", "not_joined", "unreachable", "signed", "not_signed", "no_pledge"
    period: str
    total: str
    # The citizens' satisfaction sheet ("Hài lòng"), written when the caller passes its figures.
    satisfaction_sheet: str = "Satisfaction"
    satisfaction_columns: Sequence[str] = ()
    # The letters' and stars' sheets, written when the caller passes their figures (CitizensExtras).
    citizens: CitizensLabels | None = None


def _unit_row(name: str, code: str, f: Figures) -> list[object]:
    return [
        name,
        code,
        f.on_list,
        f.joined,
        f.joined_rate,
        f.signed,
        f.signed_rate,
        f.checks_done,
        f.check_slots,
        f.done_rate,
        f.checks_on_time,
        f.checks_late,
        f.checks_missed,
        f.quiz_takers,
        f.quiz_rate,
        f.quiz_average,
        f.read_rate,
        f.signed_in_year,
    ]


UNIT_PERCENTS = (4, 6, 9, 14, 15, 16)  # 0-based columns of _unit_row shown as percentages
SAMPLE_ROWS = 2000  # rows of people the column widths are measured on


def _person_row(person: Person, labels: ReportLabels) -> list[object]:
    if not person.joined:
        state = labels.states["not_joined"]
    else:
        state = labels.states["unreachable" if person.unreachable else "joined"]
    signed: object = labels.states["no_pledge"] if not person.needs_signing else labels.states["not_signed"]
    if person.signed_at is not None:
        signed = person.signed_at.astimezone(LOCAL_TZ).replace(tzinfo=None)
    return [
        person.full_name,
        person.title,
        person.unit_name,
        state,
        signed,
        person.on_time,
        person.late,
        person.missed,
        person.quizzes,
        person.quiz_score / person.quizzes if person.quizzes else None,
        person.read / person.reminders if person.reminders else None,
        "; ".join(labels.lapse_names[kind] for kind in person.lapses) or None,
    ]


def _styles() -> list[NamedStyle]:
    return [
        NamedStyle(HEADER_STYLE, font=Font(bold=True), fill=PatternFill("solid", fgColor="DDE7F0")),
        NamedStyle(PERCENT_STYLE, number_format="0.0%"),
        NamedStyle(DATE_STYLE, number_format=EXCEL_DATE),
    ]


def excel_report(
    report: Report,
    labels: ReportLabels,
    satisfaction: ReportSatisfaction | None = None,
    extras: CitizensExtras | None = None,
) -> bytes:
    """Two sheets, whatever the reach: the units (each unit's subtree figures against its staff list,
    indented by depth, the total, and the period with its first and last day as dates) and the people
    (everyone on the list in reach with their unit, states and lapses), both with a frozen header row and
    filters, rates as percentages and dates as dates. A head of a whole office filters the people by unit
    rather than leafing through 2 000 sheets. With `satisfaction`, a third sheet of the citizens' ratings
    per unit (figures only: no comment, no contact); with `extras`, the letters to citizens per unit and
    the units' stars of the last quarter ended."""
    with collector_paused():
        return _workbook(report, labels, satisfaction, extras)


def _workbook(
    report: Report,
    labels: ReportLabels,
    satisfaction: ReportSatisfaction | None,
    extras: CitizensExtras | None,
) -> bytes:
    workbook = SheetsWorkbook(_styles())
    used: set[str] = set()
    header = [Styled(title, HEADER_STYLE) for title in labels.unit_columns]
    rows = [_unit_row("  " * line.depth + line.name, line.code, line.subtree) for line in report.units]
    rows.append(_unit_row(labels.total, "", report.total))
    workbook.table(
        unique_title(labels.units_sheet, used),
        rows=[
            header,
            *rows,
            [],
            [
                labels.period,
                Styled(report.period.start, DATE_STYLE),
                Styled(report.period.end, DATE_STYLE),
            ],
        ],
        widths=column_widths(labels.unit_columns, rows),
        styles=dict.fromkeys(UNIT_PERCENTS, PERCENT_STYLE),
        filter_rows=len(rows) + 1,
    )
    # the people's rows made as they are written (50 000 in a province): the widths from the first ones
    sample = [_person_row(person, labels) for person in report.people[:SAMPLE_ROWS]]
    rest = (_person_row(person, labels) for person in report.people[SAMPLE_ROWS:])
    workbook.table(
        unique_title(labels.people_sheet, used),
        rows=chain([[Styled(title, HEADER_STYLE) for title in labels.people_columns]], sample, rest),
        widths=column_widths(labels.people_columns, sample),
        styles={4: DATE_STYLE, 9: PERCENT_STYLE, 10: PERCENT_STYLE},
        filter_rows=len(report.people) + 1,
    )
    if satisfaction is not None:
        sheet = SatisfactionSheet(
            satisfaction, report.units, labels.satisfaction_sheet, labels.satisfaction_columns, labels.total
        )
        add_satisfaction_sheet(workbook, used, sheet, header_style=HEADER_STYLE, percent_style=PERCENT_STYLE)
    if extras is not None and labels.citizens is not None:
        add_letters_sheet(
            workbook,
            used,
            labels=labels.citizens,
            total_label=labels.total,
            report=report,
            letters=extras.letters,
            header_style=HEADER_STYLE,
        )
        if extras.stars is not None and labels.citizens.stars is not None:
            add_stars_sheet(
                workbook, used, labels=labels.citizens, stars=extras.stars, header_style=HEADER_STYLE
            )
    return workbook.to_bytes()
