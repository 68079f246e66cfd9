"""The citizens' side of a compliance report (issue 16), beside its satisfaction figures
(compliance.reports.satisfaction_report): the letters to citizens and the units' stars, for the chat's
/report, its Excel and the weekly summaries.

Each figure comes from the function the dashboard reads: the letters from compliance.feedback.letters
(the dashboard's subtree_counts for the total), the stars from the office's ranking the ranking page reads
(compliance.reports.star_ranking: computed once per process for every reader, each given their subtree).
Units' figures only: never a person, never a comment.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncSession

from compliance.content import ContentError
from compliance.feedback.letters import LetterCounts, subtree_counts, unit_letter_counts
from compliance.feedback.rubric import Rubric
from compliance.feedback.rubric_choice import office_rubric
from compliance.feedback.stars import Ranking, StarPeriod, UnitStars, quarter_of, stars_payloads
from compliance.reports.period import Period
from compliance.reports.rollup import Report, UnitLine
from compliance.reports.satisfaction import period_bounds
from compliance.reports.star_ranking import office_ranking, subtree
from storage.models import Unit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportLetters:
    total: LetterCounts  # the report's subtree (None: the whole office), as the dashboard counts it
    by_unit: dict[int, LetterCounts]  # each report unit's subtree

    def of(self, unit_id: int) -> LetterCounts:
        return self.by_unit.get(unit_id, LetterCounts())


async def units_letters(
    session: AsyncSession, lines: Sequence[UnitLine], period: Period, *, root: Unit | None
) -> ReportLetters:
    """The letters issued in the period by each unit's subtree, and by `root`'s (None: the office's)."""
    start, end = period_bounds(period)
    by_unit = await unit_letter_counts(
        session, unit_ids=[line.unit_id for line in lines], start=start, end=end
    )
    total = await subtree_counts(session, top=root, start=start, end=end)
    return ReportLetters(total, by_unit)


async def report_letters(session: AsyncSession, report: Report) -> ReportLetters:
    return await units_letters(session, report.units, report.period, root=report.root)


@dataclass(frozen=True)
class ReportStars:
    """The star rating of the last quarter ended, of the report's units (ranked in the whole office)."""

    period: StarPeriod
    rubric: Rubric
    units: list[UnitStars]  # tree order

    def of(self, unit_id: int) -> UnitStars | None:
        return self._by_id.get(unit_id)

    @cached_property
    def _by_id(self) -> dict[int, UnitStars]:
        # The summary asks for every report unit: a scan of the 2 000 per unit took a fifth of a second.
        found: dict[int, UnitStars] = {}
        for unit in self.units:
            found.setdefault(unit.unit_id, unit)
        return found

    @property
    def most(self) -> int:
        return self.rubric.thresholds[0].stars


def stars_period(day: date) -> StarPeriod:
    """The quarter the reports show the stars of: the last one ended before `day`, as the group's weekly
    post (compliance.feedback.stars.last_quarter_stars) does, so a running quarter's part-figures are not
    read as its stars."""
    return quarter_of(day).previous_quarter()


async def stars_of(
    session: AsyncSession, period: StarPeriod, *, root: Unit | None, today: date
) -> ReportStars | None:
    """The ranking page's figures of `root`'s subtree (None: the office) for `period`, from the office's
    ranking kept for every reader; None when the rubric cannot be read: the report goes on without its
    stars (the error is logged)."""
    try:
        rubric = await office_rubric(session)
    except ContentError:
        log.exception("the star rating's rubric cannot be read; the report goes without stars")
        return None
    office = await office_ranking(session, rubric=rubric, period=period, today=today)
    ranking = subtree(office.value, root)
    return ReportStars(period, ranking.rubric, ranking.units)


async def report_stars(session: AsyncSession, report: Report, *, day: date) -> ReportStars | None:
    return await stars_of(session, stars_period(day), root=report.root, today=day)


@dataclass(frozen=True)
class WeeklyStars:
    """Monday's stars, as plain data for the outbox (rendered in each reader's language later)."""

    units: dict[int, dict[str, object]]  # each asked unit's own stars: its head's summary, its group's post
    office: dict[str, object] | None  # how many units earned each number of stars: the admins' summary


async def weekly_stars(
    session: AsyncSession, *, day: date, unit_ids: Sequence[int], office: bool = False
) -> WeeklyStars:
    """The stars of the last quarter ended before `day` of these units and, with `office`, the counts of the
    whole office's, for Monday's summaries and group posts: one read of the same kept ranking as the
    /report (a broken rubric: none)."""
    if not unit_ids and not office:
        return WeeklyStars({}, None)
    stars = await stars_of(session, stars_period(day), root=None, today=day)
    if stars is None:
        return WeeklyStars({}, None)
    ranking = Ranking(stars.rubric, stars.period, stars.units)
    return WeeklyStars(stars_payloads(ranking, unit_ids), office_stars_payload(stars) if office else None)


def office_stars_payload(stars: ReportStars) -> dict[str, object]:
    """How many of the ranked units (every level) earned each number of stars, most first, a number no unit
    earned included as 0 (the scale reads whole)."""
    earned = Counter(unit.stars for unit in stars.units)
    return {
        "counts": [[threshold.stars, earned[threshold.stars]] for threshold in stars.rubric.thresholds],
        "units": len(stars.units),
        "most": stars.most,
        "year": stars.period.year,
        "quarter": stars.period.quarter,
        "rubric": stars.rubric.code,
    }


@dataclass(frozen=True)
class CitizensExtras:
    """What a report carries of the citizens besides its satisfaction figures."""

    letters: ReportLetters
    stars: ReportStars | None


async def report_extras(session: AsyncSession, report: Report, *, day: date) -> CitizensExtras:
    return CitizensExtras(await report_letters(session, report), await report_stars(session, report, day=day))
