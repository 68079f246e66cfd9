"""The yearly emulation and commendation review (thi đua, khen thưởng): one row per official with every
figure of the period and a score, one sheet per unit. Aggregated per official in grouped queries."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl.styles import Font, NamedStyle
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.dates import EXCEL_DATE
from compliance.feedback.stars import StarPeriod
from compliance.office import staff_roll
from compliance.office.units import is_live, tree_sorted
from compliance.pledge.signing import versions_by_unit
from compliance.reports.citizens import ReportStars, stars_of
from compliance.reports.citizens_excel import CitizensLabels, add_stars_sheet
from compliance.reports.collector import collector_paused
from compliance.reports.period import Period
from compliance.reports.satisfaction_report import (
    ReportSatisfaction,
    ReviewUnit,
    SatisfactionSheet,
    add_satisfaction_sheet,
    units_satisfaction,
)
from compliance.reports.xlsx import SheetsWorkbook, styled, unique_title
from compliance.text import vietnamese_name_key
from storage.models import Official, Unit
from storage.models_pledge import Signature
from storage.models_practice import DailyReminder, QuizAttempt, SelfCheck

HEADER_STYLE, DATE_STYLE, PERCENT_STYLE = "ckb-header", "ckb-date", "ckb-percent"
PERIOD_PATTERN = re.compile(r"^([0-9]{4})(?:Q([1-4]))?$")  # ASCII digits: \d takes other scripts' too
# The score's weights: the pledge signed, self-checks on time, reminders read, the weekly quiz.
WEIGHTS = {"signed": 40, "on_time": 30, "read": 15, "quiz": 15}


def parse_review_period(text: str) -> Period | None:
    """ "2027" (a year) or "2027Q1" (a quarter)."""
    match = PERIOD_PATTERN.match(text.strip().upper())
    if match is None:
        return None
    year = int(match.group(1))
    if match.group(2) is None:
        return Period(date(year, 1, 1), date(year, 12, 31))
    quarter = int(match.group(2))
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return Period(start, date.fromordinal(end.toordinal() - 1))


def review_star_period(period: Period) -> StarPeriod:
    """The star rating's period of a review's (parse_review_period): its quarter, or its whole year."""
    if (period.start.month, period.end.month) == (1, 12):
        return StarPeriod(period.start.year)
    return StarPeriod(period.start.year, (period.start.month - 1) // 3 + 1)


async def review_stars(
    session: AsyncSession, period: Period, *, root: Unit | None, today: date
) -> ReportStars | None:
    """The units' stars of the review's period and scope (`root`'s subtree, ranked among the whole office's
    peers), for the workbook's last sheet: the office's kept ranking, as the chat's review button reads it.
    None when the rubric cannot be read: the review goes out without its stars (stars_of logs why)."""
    return await stars_of(session, review_star_period(period), root=root, today=today)


async def review_satisfaction(
    session: AsyncSession, units: Sequence[Unit], period: Period
) -> tuple[list[ReviewUnit], ReportSatisfaction]:
    """The citizens' ratings of the review's units (each one's subtree) in its period, and the period
    before: the figures of the report's satisfaction sheet, for the review's own."""
    lines = [ReviewUnit(unit.id, unit.name, unit.code, unit.depth) for unit in units]
    return lines, await units_satisfaction(session, lines, period)


@dataclass
class OfficialRow:
    official_id: int
    full_name: str
    title: str | None
    unit_id: int
    signed_on: date | None = None
    on_time: int = 0
    late: int = 0
    missed: int = 0
    quizzes: int = 0
    quiz_score: float = 0.0
    reminders: int = 0
    read: int = 0

    @property
    def score(self) -> float:
        checks = self.on_time + self.late + self.missed
        parts = {
            "signed": 1.0 if self.signed_on else 0.0,
            "on_time": self.on_time / checks if checks else 0.0,
            "read": self.read / self.reminders if self.reminders else 0.0,
            "quiz": self.quiz_score / self.quizzes if self.quizzes else 0.0,
        }
        return round(sum(WEIGHTS[k] * v for k, v in parts.items()), 1)


async def review_rows(
    session: AsyncSession, *, root: Unit | None, period: Period
) -> tuple[list[Unit], list[OfficialRow]]:
    units_query = select(Unit).where(is_live())  # merged units are history: their people moved
    if root is not None:
        units_query = units_query.where(Unit.path.startswith(root.path))
    units = tree_sorted((await session.scalars(units_query)).all())
    in_scope = staff_roll.within(root)
    at = staff_roll.cutoff(period)  # everyone on the list at the period's end (or now, while it runs)
    people = (
        await session.execute(
            select(Official.id, Official.full_name, Official.title, Official.unit_id).where(
                in_scope, staff_roll.on_list(at)
            )
        )
    ).all()
    people = sorted(people, key=lambda row: vietnamese_name_key(row[1]))
    rows = {pid: OfficialRow(pid, name, title, unit_id) for pid, name, title, unit_id in people if unit_id}
    versions = await versions_by_unit(session, as_of=at)
    signatures = await session.execute(
        select(Signature.official_id, Signature.pledge_version_id, func.min(Signature.signed_at))
        .join(Official, Official.id == Signature.official_id)
        .where(in_scope, Signature.on_behalf_of_unit.is_(False), Signature.signed_at <= at)
        .group_by(Signature.official_id, Signature.pledge_version_id)
    )
    for official_id, version_id, signed_at in signatures:
        row = rows.get(official_id)
        version = versions.for_unit(row.unit_id) if row else None
        if row is not None and version is not None and version.id == version_id:
            row.signed_on = signed_at.date()
    checks = await session.execute(
        select(SelfCheck.official_id, SelfCheck.status, func.count())
        .join(Official, Official.id == SelfCheck.official_id)
        .where(in_scope, SelfCheck.week >= period.start, SelfCheck.week <= period.end)
        .group_by(SelfCheck.official_id, SelfCheck.status)
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for official_id, status, count in checks:
        counts[official_id][status] = int(count)
    quizzes = await session.execute(
        select(
            QuizAttempt.official_id, func.count(), func.sum(QuizAttempt.score * 1.0 / QuizAttempt.answered)
        )
        .join(Official, Official.id == QuizAttempt.official_id)
        .where(
            in_scope,
            QuizAttempt.practice.is_(False),
            QuizAttempt.finished_at.is_not(None),
            QuizAttempt.answered > 0,
            QuizAttempt.week >= period.start,
            QuizAttempt.week <= period.end,
        )
        .group_by(QuizAttempt.official_id)
    )
    reminders = await session.execute(
        select(
            DailyReminder.official_id,
            func.count(),
            func.sum(case((DailyReminder.read_at.is_not(None), 1), else_=0)),
        )
        .join(Official, Official.id == DailyReminder.official_id)
        .where(in_scope, DailyReminder.day >= period.start, DailyReminder.day <= period.end)
        .group_by(DailyReminder.official_id)
    )
    for official_id, status_counts in counts.items():
        if official_id in rows:
            row = rows[official_id]
            row.on_time, row.late, row.missed = (status_counts.get(s, 0) for s in ("done", "late", "missed"))
    for official_id, count, total in quizzes:
        if official_id in rows:
            rows[official_id].quizzes, rows[official_id].quiz_score = int(count), float(total or 0)
    for official_id, count, read in reminders:
        if official_id in rows:
            rows[official_id].reminders, rows[official_id].read = int(count), int(read or 0)
    return units, list(rows.values())


def review_workbook(
    units: Sequence[Unit],
    rows: Sequence[OfficialRow],
    header: Sequence[str],
    stars: tuple[ReportStars, CitizensLabels] | None = None,
    satisfaction: SatisfactionSheet | None = None,
) -> bytes:
    """One sheet per unit (its own members), named by the unit's name (cut to Excel's 31 characters, made
    unique), headers as given (translated), dates as dates. Streamed like
    the weekly report's workbook (reports/xlsx.py): a year's review of 50 000 officials would otherwise
    hold every cell in memory. With `satisfaction`, a sheet of the units' citizens' ratings, and with
    `stars`, a last sheet of the units' star rating, for the same period (units only: the people's rows
    above are the only ones naming anybody)."""
    with collector_paused():
        return _workbook(units, rows, header, stars, satisfaction)


def _workbook(
    units: Sequence[Unit],
    rows: Sequence[OfficialRow],
    header: Sequence[str],
    stars: tuple[ReportStars, CitizensLabels] | None,
    satisfaction: SatisfactionSheet | None = None,
) -> bytes:
    workbook = SheetsWorkbook(
        [
            NamedStyle(HEADER_STYLE, font=Font(bold=True)),
            NamedStyle(DATE_STYLE, number_format=EXCEL_DATE),
            NamedStyle(PERCENT_STYLE, number_format="0.0%"),
        ]
    )
    by_unit: dict[int, list[OfficialRow]] = defaultdict(list)
    for row in rows:
        by_unit[row.unit_id].append(row)
    widths = [float(max(12, min(40, len(str(title)) + 4))) for title in header]
    used: set[str] = set()
    header_cells: list[object] | None = None
    for unit in units:
        members = by_unit.get(unit.id, [])
        sheet = workbook.sheet(unique_title(unit.name, used), widths=widths, filter_rows=len(members) + 1)
        if header_cells is None:  # written as appended, so the same styled cells serve every sheet
            header_cells = [styled(sheet, title, HEADER_STYLE) for title in header]
        sheet.append(header_cells)
        for r in members:
            quiz = (r.quiz_score / r.quizzes) if r.quizzes else None
            read = (r.read / r.reminders) if r.reminders else None
            sheet.append(
                [
                    r.full_name,
                    r.title,
                    unit.name,
                    styled(sheet, r.signed_on, DATE_STYLE) if r.signed_on else None,
                    r.on_time,
                    r.late,
                    r.missed,
                    r.quizzes,
                    styled(sheet, quiz, PERCENT_STYLE) if quiz is not None else None,
                    styled(sheet, read, PERCENT_STYLE) if read is not None else None,
                    r.score,
                ]
            )
        sheet.close()
    if satisfaction is not None:
        add_satisfaction_sheet(
            workbook, used, satisfaction, header_style=HEADER_STYLE, percent_style=PERCENT_STYLE
        )
    if stars is not None and stars[1].stars is not None:
        add_stars_sheet(workbook, used, labels=stars[1], stars=stars[0], header_style=HEADER_STYLE)
    return workbook.to_bytes()
