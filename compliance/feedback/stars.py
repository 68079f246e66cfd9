"""The star rating of units for emulation (issue 16): each live unit's points for a quarter or a year by the
rubric (compliance.feedback.rubric), every figure kept with the inputs it came from, the stars, and the rank.

A unit is scored on its subtree, as the reports roll up: a commune's figures hold its offices'. Units are
ranked against their peers (the units at the same depth of the tree: communes against communes), in the
whole office, so a head who sees only their subtree reads the same rank as the admin's page and the Excel.

Inputs, each over the period:
- plan updates: copies of broadcasts that ask for a confirmation, delivered to the unit's people (as they
  are placed now), and those confirmed "received";
- the pledge signed and the self-checks on time: the compliance report's figures, read as grouped counts
  (reports.unit_pledge);
- citizens' satisfaction: reports.satisfaction.unit_figures (set-aside ratings never count);
- administrative reform and initiatives: the admin's entries in force (compliance.feedback.star_scores).
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Final

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.broadcasts.sending import KIND as BROADCAST_KIND
from compliance.content import ContentError
from compliance.feedback import star_scores
from compliance.feedback.rubric import Criterion, Measure, Metric, NoData, Rubric, YearRule
from compliance.feedback.rubric_choice import office_rubric
from compliance.office.units import is_live, tree_sorted
from compliance.reports.period import Period
from compliance.reports.rollup import Figures
from compliance.reports.satisfaction import period_bounds, unit_figures
from compliance.reports.unit_pledge import own_pledge_figures
from compliance.text import vietnamese_key
from storage.models import Official, OutboxMessage, Unit
from storage.models_broadcast import Broadcast, BroadcastAck

log = logging.getLogger(__name__)
QUARTERS: Final = (1, 2, 3, 4)
ROMAN: Final = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class StarPeriod:
    """A quarter (1–4) of a year, or the whole year (quarter None)."""

    year: int
    quarter: int | None = None

    @property
    def period(self) -> Period:
        if self.quarter is None:
            return Period(date(self.year, 1, 1), date(self.year, 12, 31))
        start = date(self.year, 3 * self.quarter - 2, 1)
        following = date(self.year + (self.quarter == 4), (3 * self.quarter) % 12 + 1, 1)
        return Period(start, date.fromordinal(following.toordinal() - 1))

    @property
    def quarters(self) -> tuple[int, ...]:
        return QUARTERS if self.quarter is None else (self.quarter,)

    @property
    def key(self) -> str:
        """ "2026Q3" or "2026", as a URL and a file name carry it."""
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @staticmethod
    def parse(text: str) -> StarPeriod | None:
        text = text.strip().upper()
        year, _, quarter = text.partition("Q")
        if not (len(year) == 4 and year.isascii() and year.isdigit()):
            return None
        if not quarter:
            return StarPeriod(int(year))
        if quarter not in ("1", "2", "3", "4"):
            return None
        return StarPeriod(int(year), int(quarter))

    def previous_quarter(self) -> StarPeriod:
        assert self.quarter is not None
        return StarPeriod(self.year - 1, 4) if self.quarter == 1 else StarPeriod(self.year, self.quarter - 1)


def quarter_of(day: date) -> StarPeriod:
    return StarPeriod(day.year, (day.month - 1) // 3 + 1)


@dataclass(frozen=True)
class MeasureResult:
    measure: Measure
    part: int | None = None  # a share's numerator and denominator, as counted
    whole: int | None = None
    entered: tuple[tuple[int, float], ...] = ()  # an entered metric: (quarter, points) of each entry in force
    share: float | None = None
    points: float | None = None  # None: no data

    @property
    def has_data(self) -> bool:
        return self.points is not None


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    measures: tuple[MeasureResult, ...]
    points: float
    no_data: bool  # none of its measures had anything to measure


@dataclass
class UnitStars:
    unit_id: int
    name: str
    code: str
    depth: int
    path: str
    criteria: tuple[CriterionResult, ...]
    raw_total: float  # before the cap
    total: float
    stars: int
    rank: int = 0  # among the units at the same depth, 1 the best; equal totals share a rank
    peers: int = 0


@dataclass
class Ranking:
    rubric: Rubric
    period: StarPeriod
    units: list[UnitStars] = field(default_factory=list)  # tree order

    def ranked(self) -> list[UnitStars]:
        """Best first, peers of a depth together (shallow levels first), names breaking ties."""
        return sorted(self.units, key=lambda u: (u.depth, u.rank, vietnamese_key(u.name)))

    def of(self, unit_id: int) -> UnitStars | None:
        return self._by_id.get(unit_id)

    @cached_property
    def _by_id(self) -> dict[int, UnitStars]:
        # Asked once per unit of a report: a scan each time cost a province's report O(units²). A ranking's
        # units are set when it is made and never changed after.
        return {u.unit_id: u for u in self.units}


def _share_result(measure: Measure, part: int, whole: int) -> MeasureResult:
    if whole <= 0:
        return MeasureResult(measure, part, whole)
    share = part / whole
    return MeasureResult(measure, part, whole, share=share, points=round(measure.points * share, 2))


def _entered_result(measure: Measure, values: list[tuple[int, float]]) -> MeasureResult:
    if not values:
        return MeasureResult(measure)
    numbers = [v for _q, v in values]
    if measure.year is YearRule.SUM:
        points = min(sum(numbers), measure.points)
    else:
        points = sum(numbers) / len(numbers)
    return MeasureResult(measure, entered=tuple(values), points=round(points, 2))


def _criterion_result(criterion: Criterion, measures: list[MeasureResult]) -> CriterionResult:
    points = 0.0
    for result in measures:
        if result.points is not None:
            points += result.points
        elif criterion.no_data is NoData.FULL:
            points += result.measure.points
    return CriterionResult(
        criterion, tuple(measures), round(points, 2), no_data=not any(m.has_data for m in measures)
    )


async def _acks(session: AsyncSession, units: Sequence[Unit], period: Period) -> dict[int, tuple[int, int]]:
    """(confirmed, delivered) copies of the plan updates that asked for a confirmation, sent in the period,
    by unit subtree: one grouped query over distinct (broadcast, person) pairs (a person counts once per
    update however many channels carried it)."""
    start, end = period_bounds(period)
    pairs = (
        select(Official.unit_id, OutboxMessage.broadcast_id, OutboxMessage.official_id)
        .join(Official, Official.id == OutboxMessage.official_id)
        .join(Broadcast, Broadcast.id == OutboxMessage.broadcast_id)
        .where(
            OutboxMessage.kind == BROADCAST_KIND,
            OutboxMessage.status == "sent",
            Broadcast.requires_ack.is_(True),
            Broadcast.send_at >= start,
            Broadcast.send_at < end,
            Official.unit_id.is_not(None),
        )
        .distinct()
        .subquery()
    )
    rows = await session.execute(
        select(pairs.c.unit_id, func.count(), func.count(BroadcastAck.official_id))
        .select_from(pairs)
        .outerjoin(
            BroadcastAck,
            and_(
                BroadcastAck.broadcast_id == pairs.c.broadcast_id,
                BroadcastAck.official_id == pairs.c.official_id,
            ),
        )
        .group_by(pairs.c.unit_id)
    )
    own = {int(unit_id): (int(acked or 0), int(delivered)) for unit_id, delivered, acked in rows.all()}
    return _rolled_up(units, own)


def _counted_in(units: Sequence[Unit], own: Container[int]) -> Iterator[tuple[int, int]]:
    """(unit, ancestor) for each unit with figures of its own and each of `units` whose subtree counts
    them, itself included: a unit's figures count in its own and every ancestor's subtree."""
    scored = {unit.id for unit in units}
    for unit in units:
        if unit.id in own:
            for ancestor in (int(p) for p in unit.path.strip("/").split("/") if p):
                if ancestor in scored:
                    yield unit.id, ancestor


def _rolled_up(units: Sequence[Unit], own: dict[int, tuple[int, int]]) -> dict[int, tuple[int, int]]:
    totals = {unit.id: [0, 0] for unit in units}
    for unit_id, ancestor in _counted_in(units, own):
        totals[ancestor][0] += own[unit_id][0]
        totals[ancestor][1] += own[unit_id][1]
    return {unit_id: (part, whole) for unit_id, (part, whole) in totals.items()}


def _subtrees(units: Sequence[Unit], own: dict[int, Figures]) -> dict[int, Figures]:
    """Each unit's subtree figures from every unit's own, as the compliance report rolls them up."""
    totals = {unit.id: Figures() for unit in units}
    for unit_id, ancestor in _counted_in(units, own):
        totals[ancestor].add(own[unit_id])
    return totals


def _rank(units: list[UnitStars]) -> None:
    by_depth: dict[int, list[UnitStars]] = {}
    for unit in units:
        by_depth.setdefault(unit.depth, []).append(unit)
    for peers in by_depth.values():
        totals = sorted(u.total for u in peers)
        for unit in peers:
            # 1 + how many peers scored more: equal totals share a rank
            unit.rank = 1 + len(totals) - bisect_right(totals, unit.total)
            unit.peers = len(peers)


async def rank_units(
    session: AsyncSession, *, rubric: Rubric, period: StarPeriod, root: Unit | None = None
) -> Ranking:
    """Every live unit scored and ranked in the whole office; only `root`'s subtree returned (None: all)."""
    units = tree_sorted((await session.scalars(select(Unit).where(is_live()))).all())
    span = period.period
    metrics = {m.metric for c in rubric.criteria for m in c.measures}
    lines: dict[int, Figures] = {}
    if metrics & {Metric.SIGNED_SHARE, Metric.SELF_CHECK_ON_TIME_SHARE}:
        lines = _subtrees(units, await own_pledge_figures(session, span))
    satisfaction = {}
    if Metric.SATISFACTION_INDEX in metrics:
        start, end = period_bounds(span)
        satisfaction = await unit_figures(session, unit_ids=[u.id for u in units], start=start, end=end)
    acks = await _acks(session, units, span) if Metric.BROADCAST_ACK_SHARE in metrics else {}
    entries = await star_scores.current(session, year=period.year, quarters=period.quarters)

    def measured(unit: Unit, measure: Measure) -> MeasureResult:
        metric = measure.metric
        if metric is Metric.BROADCAST_ACK_SHARE:
            return _share_result(measure, *acks.get(unit.id, (0, 0)))
        if metric is Metric.SIGNED_SHARE:
            figures = lines.get(unit.id)
            return _share_result(measure, figures.signed if figures else 0, figures.on_list if figures else 0)
        if metric is Metric.SELF_CHECK_ON_TIME_SHARE:
            figures = lines.get(unit.id)
            return _share_result(
                measure, figures.checks_on_time if figures else 0, figures.checks_due if figures else 0
            )
        if metric is Metric.SATISFACTION_INDEX:
            sat = satisfaction.get(unit.id)
            return _share_result(measure, sat.satisfied if sat else 0, sat.ratings if sat else 0)
        values: list[tuple[int, float]] = []
        for quarter in period.quarters:
            entry = entries.get((unit.id, quarter))
            value = None
            if entry is not None:
                value = entry.reform if metric is Metric.ENTERED_REFORM else entry.initiatives
            if value is not None:
                values.append((quarter, value))
        return _entered_result(measure, values)

    scored: list[UnitStars] = []
    for unit in units:
        criteria = tuple(
            _criterion_result(c, [measured(unit, m) for m in c.measures]) for c in rubric.criteria
        )
        raw = round(sum(c.points for c in criteria), 2)
        total = min(raw, rubric.cap)
        scored.append(
            UnitStars(
                unit.id,
                unit.name,
                unit.code,
                unit.depth,
                unit.path,
                criteria,
                raw,
                total,
                rubric.stars_for(total),
            )
        )
    _rank(scored)
    if root is not None:
        scored = [u for u in scored if u.path.startswith(root.path)]
    return Ranking(rubric, period, scored)


async def last_quarter_stars(
    session: AsyncSession, *, day: date, unit_ids: Sequence[int], rubric: Rubric | None = None
) -> dict[int, dict[str, object]]:
    """The stars of the last quarter ended before `day` for these units, as plain data for a group's weekly
    post: the unit's figures only, never a person's."""
    if not unit_ids:
        return {}
    try:
        rubric = rubric or await office_rubric(session)
    except ContentError:
        # A broken rubric file must not stop the week's summaries: the post goes without its stars line.
        log.exception("the star rating's rubric cannot be read; the weekly posts go without stars")
        return {}
    period = quarter_of(day).previous_quarter()
    return stars_payloads(await rank_units(session, rubric=rubric, period=period), unit_ids)


def stars_payloads(ranking: Ranking, unit_ids: Sequence[int]) -> dict[int, dict[str, object]]:
    """These units' stars in `ranking`, as plain data for a weekly post: the unit's figures only."""
    rubric, period = ranking.rubric, ranking.period
    wanted = set(unit_ids)
    return {
        unit.unit_id: {
            "stars": unit.stars,
            "most": rubric.thresholds[0].stars,
            "points": unit.total,
            "total": rubric.total,
            "year": period.year,
            "quarter": period.quarter,
            "rubric": rubric.code,
        }
        for unit in ranking.units
        if unit.unit_id in wanted
    }
