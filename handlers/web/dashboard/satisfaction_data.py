"""The satisfaction figures the dashboard shows (its own section and /dashboard/satisfaction): a subtree's
total, the units below, the trend, kept a few minutes like the dashboard's report; each question's
distribution as an SVG bar chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.units import is_live
from compliance.reports import satisfaction as figures
from compliance.reports.dashboard import YEAR, Kept
from compliance.reports.period import Period, PeriodKind
from compliance.reports.satisfaction import ANSWERS, LEVELS, TRIPS, SatisfactionFigures
from compliance.text import vietnamese_key
from handlers.i18n import _
from handlers.views.satisfaction import answer_name, level_name, trips_name
from handlers.web.context import WebContext
from handlers.web.dashboard.board import cache_of, percent
from storage.models import Unit

WIDTH = 640
LABEL_WIDTH = 230
BAR_WIDTH = 300
LEVEL_COLOURS = {1: "#D55E00", 2: "#E69F00", 3: "#999999", 4: "#56B4E9", 5: "#0072B2"}  # Okabe-Ito
TRIP_COLOURS = {1: "#0072B2", 2: "#E69F00", 3: "#D55E00"}
FONT = 'font-family="system-ui, sans-serif"'
TREND_WEEKS = 8


@dataclass(frozen=True)
class Distribution:
    """One question's answers: (label, count, colour) in the survey's order."""

    ident: str
    title: str
    rows: list[tuple[str, int, str]]

    @property
    def total(self) -> int:
        return sum(count for _, count, _ in self.rows)


def distributions(f: SatisfactionFigures) -> list[Distribution]:
    levels = list(reversed(LEVELS))  # the forms list the best first
    answer_colours = ("#009E73", "#D55E00", "#999999")
    return [
        Distribution(
            "overall",
            _("Overall satisfaction"),
            [(level_name(n), f.overall[n - 1], LEVEL_COLOURS[n]) for n in levels],
        ),
        Distribution(
            "attitude",
            _("Official's attitude"),
            [(level_name(n), f.attitude[n - 1], LEVEL_COLOURS[n]) for n in levels],
        ),
        Distribution(
            "trips",
            _("Trips for the dossier"),
            [(trips_name(n), f.trips[n - 1], TRIP_COLOURS[n]) for n in TRIPS],
        ),
        Distribution(
            "papers",
            _("Papers posted publicly"),
            [(answer_name(a), f.papers_posted[i], answer_colours[i]) for i, a in enumerate(ANSWERS)],
        ),
        Distribution(
            "lookup",
            _("Progress could be looked up"),
            [(answer_name(a), f.progress_lookup[i], answer_colours[i]) for i, a in enumerate(ANSWERS)],
        ),
    ]


def _text(x: float, y: float, content: str, extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="14" {FONT}{extra}>{escape(content)}</text>'


def distribution_svg(distribution: Distribution) -> Markup:
    """Horizontal bars, one per answer, as shares of the ratings; no script, no style attribute (the
    pages' CSP), every text escaped, a <title> and a <desc> with the numbers."""
    total = distribution.total
    body: list[str] = []
    summary: list[str] = []
    y = 6.0
    for label, count, colour in distribution.rows:
        ratio = count / total if total else 0.0
        shown = f"{count} ({percent(ratio)})" if total else "0"
        body.append(_text(4, y + 15, label))
        body.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 3:.1f}" width="{BAR_WIDTH}" height="16" fill="#EBEBEB"/>'
        )
        body.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 3:.1f}" width="{BAR_WIDTH * ratio:.1f}" height="16" '
            f'fill="{colour}"/>'
        )
        body.append(_text(LABEL_WIDTH + BAR_WIDTH * ratio + 6, y + 16, shown))
        summary.append(f"{label}: {shown}")
        y += 24
    ident = f"dist-{distribution.ident}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {y + 6:.0f}" width="{WIDTH}" '
        f'height="{y + 6:.0f}" role="img" aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(distribution.title)}</title>'
        f'<desc id="{ident}-desc">{escape("; ".join(summary))}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every text inserted above is escaped


def trend_period(name: str, period: Period) -> tuple[Period, str]:
    """The trend's span and step: a year or a quarter by month, a month by week, a week among the eight
    weeks up to it."""
    if name in (YEAR, PeriodKind.QUARTER.value):
        return period, "month"
    if name == PeriodKind.MONTH.value:
        return period, "week"
    return Period(period.start - timedelta(weeks=TREND_WEEKS - 1), period.end), "week"


async def _tops(session: AsyncSession) -> list[Unit]:
    found = await session.scalars(select(Unit).where(is_live(), Unit.parent_id.is_(None)))
    return list(found.all())


async def _children(session: AsyncSession, root: Unit | None) -> list[Unit]:
    """The units one level below (for the whole office: below its single top, or the tops)."""
    if root is None:
        tops = await _tops(session)
        if len(tops) != 1:
            return sorted(tops, key=lambda unit: vietnamese_key(unit.name))
        root = tops[0]
    found = await session.scalars(select(Unit).where(is_live(), Unit.parent_id == root.id))
    return sorted(found.all(), key=lambda unit: vietnamese_key(unit.name))


@dataclass(frozen=True)
class Computed:
    total: SatisfactionFigures
    lines: list[tuple[Unit, SatisfactionFigures]]
    trend: list[figures.TrendPoint]
    step: str


async def _compute(session: AsyncSession, root: Unit | None, name: str, period: Period) -> Computed:
    tops = [root.id] if root is not None else [unit.id for unit in await _tops(session)]
    children = await _children(session, root)
    ids = [*tops, *(u.id for u in children)]
    span, step = trend_period(name, period)
    start, end = figures.period_bounds(period)
    # Closed days come from their daily roll-up: two short reads, the trend of the top subtrees only.
    found = await figures.unit_figures(session, unit_ids=ids, start=start, end=end)
    points = await figures.trend(session, unit_ids=tops, period=span, by=step)
    total = SatisfactionFigures()
    for unit_id in tops:
        total.add(found[unit_id])
    line = [
        figures.TrendPoint(at[0].start, sum(p.ratings for p in at), sum(p.satisfied for p in at))
        for at in zip(*(points[unit_id] for unit_id in tops), strict=True)
    ]
    return Computed(total, [(unit, found[unit.id]) for unit in children], line, step)


async def computed_for(
    context: WebContext, root: Unit | None, name: str, period: Period, *, fresh: bool = False
) -> Kept[Computed]:
    """The subtree's figures for the period, kept a few minutes like the dashboard's report (a year of a
    province's ratings is a million rows)."""

    async def compute() -> Computed:
        return await _compute(context.session, root, name, period)

    key = ("satisfaction", root.id if root is not None else None, name, period.start, period.end)
    return await cache_of(context.request).get(key, compute, fresh=fresh)
