"""The report as a picture a head reads on a phone: their own unit first, then the units directly below
it, each share of the staff list a labelled bar (no bar where nothing was due), and the last weeks'
self-checks on time from the programme's first week. Labels arrive translated; this module only lays
the numbers out."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.reports.collector import collector_paused
from compliance.reports.png import png
from compliance.reports.rollup import Figures, UnitLine
from compliance.reports.weekly import on_time_by_week
from compliance.text import vietnamese_key
from storage.models import Official, Unit
from storage.models_practice import SelfCheck

# 7.2 in at 160 dpi: 1152 px wide, what a phone shows full width without scaling text below legibility.
# Font sizes are chosen for that width (about 35 characters of 15 pt text per line of the screen).
WIDTH_INCHES = 7.2
DPI = 160
ROW_INCHES = 0.36
COLOURS = ("#0072B2", "#E69F00", "#009E73")  # Okabe-Ito: told apart by colour-blind readers too
TREND = "#CC79A7"  # not a colour of the bars: the line is another measure
TRACK = "#EBEBEB"
MUTED = "#666666"
MAX_UNITS = 40  # below the reader's own unit (pages of a photo album); the rest are in the Excel file
MAX_HEIGHT_PX = 2560
NAME_CHARS = 46


@dataclass(frozen=True)
class ChartLabels:
    title: str  # what and whose: the report of a unit
    subtitle: str  # when: the period with its first and last day
    series: Sequence[str]  # joined, signed, self-checks done
    trend_title: str
    no_weeks: str  # no week of the programme yet
    more_units: str  # "{n}" more units, in the Excel file
    whole_office: str
    percent: Callable[[float], str]  # a ratio in the reader's locale
    basis: str = ""  # what the bars' shares are of, above the legend
    no_figure: str = "—"


@dataclass(frozen=True)
class ChartGroup:
    name: str
    rates: tuple[float | None, float | None, float | None]  # None: nothing was due
    reader: bool = False  # the reader's own unit


def _rates(figures: Figures) -> tuple[float | None, float | None, float | None]:
    """The report's own measures, each against the staff list: joined, signed, self-checks done."""
    return figures.joined_rate, figures.signed_rate, figures.done_rate


def chart_groups(
    root: Unit | None, lines: Sequence[UnitLine], total: Figures, *, whole_office: str
) -> tuple[list[ChartGroup], int]:
    """From a report's root, unit lines and total: the reader's own unit (its whole subtree) first, then
    the units directly below it in Vietnamese order; and how many of those did not fit. An admin's own
    unit is the office: its single top unit, or the office as a whole when there are several."""
    own = None
    if root is not None:
        own = next((line for line in lines if line.unit_id == root.id), None)
    elif lines:
        top = min(line.depth for line in lines)
        tops = [line for line in lines if line.depth == top]
        own = tops[0] if len(tops) == 1 else None
    if own is not None:
        first = ChartGroup(own.name, _rates(own.subtree), reader=True)
        below = [line for line in lines if line.depth == own.depth + 1]
    else:
        first = ChartGroup(whole_office, _rates(total), reader=True)
        below = [line for line in lines if line.depth == min(line.depth for line in lines)] if lines else []
    below.sort(key=lambda line: vietnamese_key(line.name))
    groups = [first, *(ChartGroup(line.name, _rates(line.subtree)) for line in below[:MAX_UNITS])]
    return groups, max(0, len(below) - MAX_UNITS)


async def weekly_on_time(
    session: AsyncSession, *, root: Unit | None, last_monday: date, weeks: int = 8
) -> list[tuple[date, float | None]]:
    """The share of self-checks done on time (compliance.reports.weekly) in the last weeks up to
    `last_monday`, from the first week anyone in the subtree had a self-check: the weeks before the
    programme started are left out rather than drawn as 0 %. A week with nothing due, or still running
    (a self-check open before its deadline, whose early answers alone would read 100 %), is None."""
    in_subtree = (
        Official.unit_id.in_(select(Unit.id).where(Unit.path.startswith(root.path)))
        if root is not None
        else Official.unit_id.is_not(None)
    )
    checks = select(SelfCheck.week, SelfCheck.status).join(Official, Official.id == SelfCheck.official_id)
    first = await session.scalar(select(func.min(checks.where(in_subtree).subquery().c.week)))
    if first is None:
        return []
    mondays = [last_monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    mondays = [monday for monday in mondays if monday >= first]
    running = set(
        (
            await session.scalars(
                select(SelfCheck.week)
                .join(Official, Official.id == SelfCheck.official_id)
                .where(in_subtree, SelfCheck.week.in_(mondays), SelfCheck.status == "open")
                .distinct()
            )
        ).all()
    )
    rates = await on_time_by_week(session, root=root, mondays=mondays)
    return [(monday, None if monday in running else rates[monday]) for monday in mondays]


def _short(name: str) -> str:
    return textwrap.shorten(name, NAME_CHARS, placeholder="…") if len(name) > NAME_CHARS else name


def _bar(
    axes: Axes, y: float, width: float, height: float, colour: str, zorder: int, gid: str | None
) -> None:
    """A horizontal bar from 0, as Axes.barh draws it (centred on `y`, no edge), without what barh does
    besides (containers, data limits, unit conversion): a tenth of a second per page of forty bars."""
    bar = Rectangle((0, y - height / 2), width, height, facecolor=colour, zorder=zorder, gid=gid)
    axes.add_artist(bar)  # the limits are fixed: nothing to learn from the bar's extent


def _bars(axes: Axes, groups: Sequence[ChartGroup], labels: ChartLabels, rows: float) -> None:
    axes.set_xlim(0, 118)  # room right of a full bar for its label
    axes.set_ylim(rows - 0.4, -0.6)  # top to bottom
    axes.axis("off")
    for number, group in enumerate(groups):
        base = number * 4.5
        if group.reader:
            axes.axhspan(base - 0.55, base + 3.5, color="#F3F7FB", zorder=0)
        axes.text(
            0,
            base,
            _short(group.name),
            fontsize=15,
            fontweight="bold" if group.reader else "normal",
            va="center",
            gid="unit",
        )
        for series, rate in enumerate(group.rates):
            y = base + 1 + series
            if rate is None:  # nothing was due: neither 0 % nor 100 %, and no bar; the series' key says which
                _bar(axes, y, 1.6, 0.5, COLOURS[series], 2, "key")
                axes.text(3, y, labels.no_figure, fontsize=14, color=MUTED, va="center", gid="no-figure")
                continue
            _bar(axes, y, 100, 0.72, TRACK, 1, None)
            _bar(axes, y, rate * 100, 0.72, COLOURS[series], 2, f"bar {number} {series}")
            axes.text(rate * 100 + 1.2, y, labels.percent(rate), fontsize=14, va="center", gid="value")


def _trend(axes: Axes, weeks: Sequence[tuple[str, float | None]], labels: ChartLabels) -> None:
    if not weeks:
        axes.axis("off")
        axes.text(0.5, 0.5, labels.no_weeks, fontsize=14, color=MUTED, ha="center", transform=axes.transAxes)
        return
    positions = list(range(len(weeks)))
    values = [math.nan if rate is None else rate * 100 for _, rate in weeks]
    axes.plot(positions, values, marker="o", markersize=8, linewidth=2.5, color=TREND, gid="trend")
    for position, (_, rate) in zip(positions, weeks, strict=True):
        if rate is None:
            axes.text(position, 4, labels.no_figure, fontsize=13, color=MUTED, ha="center", gid="no-figure")
        else:
            axes.text(position, rate * 100 + 5, labels.percent(rate), fontsize=13, ha="center", gid="value")
    axes.set_xticks(positions, [label for label, _ in weeks], fontsize=13)
    axes.set_xlim(-0.5, len(weeks) - 0.5)
    axes.set_ylim(0, 115)
    axes.set_yticks([0, 50, 100], [labels.percent(0), labels.percent(0.5), labels.percent(1)], fontsize=12)
    axes.grid(axis="y", color=TRACK)
    axes.spines[["top", "right"]].set_visible(False)


def _heading(labels: ChartLabels, page: str) -> tuple[list[str], list[str], list[str], float]:
    """The title's and subtitle's lines, the legend's heading, and where the bars start (inches)."""
    title = textwrap.wrap(labels.title + page, 44) or [""]
    subtitle = textwrap.wrap(labels.subtitle, 52)
    basis = [labels.basis] if labels.basis else []
    legend_top = 0.3 + 0.34 * len(title) + 0.28 * len(subtitle) + 0.1
    return title, subtitle, basis, legend_top + 0.3 * (len(basis) + len(labels.series)) + 0.25


GROUP_INCHES = 4.5 * ROW_INCHES
NOTE_INCHES = 0.45
TREND_INCHES = 0.35 + 0.45 + 2.6 + 0.55  # its title, the axes, the weeks below them


def chart_figure(
    groups: Sequence[ChartGroup],
    weeks: Sequence[tuple[str, float | None]] | None,
    labels: ChartLabels,
    *,
    hidden: int = 0,
    page: str = "",
) -> Figure:
    """One picture, laid out in inches from the top so that nothing overlaps whatever the number of
    units: the title (with `page`, " (1/3)"), the legend, the bars, a note of the units left out, and the
    weekly line unless `weeks` is None (it is on another page)."""
    title, subtitle, basis, bars_top = _heading(labels, page)
    legend_top = 0.3 + 0.34 * len(title) + 0.28 * len(subtitle) + 0.1
    rows = len(groups) * 4.5
    bars_height = rows * ROW_INCHES
    trend_title_top = bars_top + bars_height + (NOTE_INCHES if hidden else 0.0) + 0.35
    trend_top = trend_title_top + 0.45
    trend_height = 2.6
    height = trend_top + trend_height + 0.55 if weeks is not None else trend_title_top
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)

    def at(inches: float) -> float:
        """A height `inches` below the figure's top, as a figure fraction."""
        return 1 - inches / height

    def box(top: float, size: float, left: float = 0.04) -> tuple[float, float, float, float]:
        return left, at(top + size), 0.96 - left, size / height

    figure.text(0.04, at(0.25), "\n".join(title), fontsize=17, fontweight="bold", va="top", gid="title")
    if subtitle:
        top = 0.3 + 0.34 * len(title)
        figure.text(0.04, at(top), "\n".join(subtitle), fontsize=14, va="top", gid="subtitle")
    for line, text in enumerate(basis):
        figure.text(0.04, at(legend_top + 0.3 * line + 0.15), text, fontsize=13, color=MUTED, va="center")
    for series, name in enumerate(labels.series):
        y = at(legend_top + 0.3 * (len(basis) + series) + 0.15)
        figure.patches.append(_square(figure, y, COLOURS[series]))
        figure.text(0.09, y, name, fontsize=14, va="center", gid="legend")
    if groups:
        _bars(figure.add_axes(box(bars_top, bars_height)), groups, labels, rows)
    if hidden:
        note = labels.more_units.format(n=hidden)
        figure.text(0.04, at(bars_top + bars_height + 0.25), note, fontsize=13, color=MUTED, va="center")
    if weeks is not None:
        figure.text(0.04, at(trend_title_top), labels.trend_title, fontsize=15, va="top", gid="trend-title")
        # the weekly line's axes leave room on the left for the percentages of its scale
        _trend(figure.add_axes(box(trend_top, trend_height, 0.13)), weeks, labels)
    return figure


def chart_pages(
    groups: Sequence[ChartGroup],
    weeks: Sequence[tuple[str, float | None]],
    labels: ChartLabels,
    *,
    hidden: int = 0,
) -> list[Figure]:
    """The chart as pictures of at most MAX_HEIGHT_PX each: Telegram keeps a photo at most 2560 px on its
    longest side, so a taller one would come back narrower than a phone's screen. One picture for a few
    units; for many, pages of units (each with the title and legend, so it reads on its own) and the
    weekly line on the last page, or on a page of its own when it does not fit there."""
    heading = _heading(labels, " (9/9)")[3]
    room = MAX_HEIGHT_PX / DPI - heading - NOTE_INCHES
    per_page = max(1, int(room // GROUP_INCHES))
    with_trend = max(0, int((room - TREND_INCHES) // GROUP_INCHES))
    if len(groups) <= with_trend:
        return [chart_figure(groups, weeks, labels, hidden=hidden)]
    chunks = [list(groups[n : n + per_page]) for n in range(0, len(groups), per_page)]
    trend_alone = len(chunks[-1]) > with_trend
    count = len(chunks) + trend_alone
    pages = [
        chart_figure(
            chunk,
            weeks if number == len(chunks) - 1 and not trend_alone else None,
            labels,
            hidden=hidden if number == len(chunks) - 1 else 0,
            page=f" ({number + 1}/{count})",
        )
        for number, chunk in enumerate(chunks)
    ]
    if trend_alone:
        pages.append(chart_figure([], weeks, labels, page=f" ({count}/{count})"))
    return pages


def _square(figure: Figure, y: float, colour: str) -> Rectangle:
    """A legend key: a square of the series' colour, left of its name, above the bars (never on them)."""
    side = 0.2 / WIDTH_INCHES
    height = side * figure.get_figwidth() / figure.get_figheight()
    return Rectangle((0.045, y - height / 2), side, height, transform=figure.transFigure, color=colour)


def chart_pngs(
    groups: Sequence[ChartGroup],
    weeks: Sequence[tuple[str, float | None]],
    labels: ChartLabels,
    *,
    hidden: int = 0,
) -> list[bytes]:
    """The pictures as PNG, 1152 px wide. Figures of their own rather than pyplot's global state, so that
    charts may be drawn in worker threads side by side. Drawn by Agg as savefig would (same size, same
    pixels), packed by reports.png; with the garbage collector paused (reports.collector), which
    would otherwise walk the report's people again for each page's thousands of artists."""
    out = []
    with collector_paused():
        for figure in chart_pages(groups, weeks, labels, hidden=hidden):
            canvas = FigureCanvasAgg(figure)
            canvas.draw()  # type: ignore[no-untyped-call]  # untyped in matplotlib's stubs
            out.append(png(numpy.asarray(canvas.buffer_rgba())))  # type: ignore[no-untyped-call]
    return out
