"""The report's chart as SVG markup for the page: the same groups and weekly line the chat's PNG draws
(compliance.reports.chart), written here as plain elements with presentation attributes (no script, no
style attribute: the pages' Content-Security-Policy allows neither inline). Every text is escaped; each
picture carries a <title> and a <desc>, and the page shows the same numbers in a table beside it."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from markupsafe import Markup, escape

from compliance.reports.chart import COLOURS, MUTED, TRACK, TREND, ChartGroup, ChartLabels

WIDTH = 640
BAR_LEFT = 8
BAR_WIDTH = 500  # 100 %; the value's label goes right of the bar
NAME_CHARS = 70
FONT = 'font-family="system-ui, sans-serif"'


def _text(x: float, y: float, content: str, *, size: int = 14, extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" {FONT}{extra}>{escape(content)}</text>'


def _rect(x: float, y: float, width: float, height: float, fill: str) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{fill}"/>'


def _svg(ident: str, title: str, desc: str, height: float, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" '
        f'height="{height:.0f}" role="img" aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every text inserted above is escaped


def _short(name: str) -> str:
    return textwrap.shorten(name, NAME_CHARS, placeholder="…") if len(name) > NAME_CHARS else name


def bars_svg(groups: Sequence[ChartGroup], labels: ChartLabels, *, hidden: int = 0) -> Markup:
    """The reader's unit then the units below it, three bars each (joined, signed, self-checks done, as
    shares of the staff list); no bar where nothing was due."""
    body: list[str] = []
    y = 4.0
    if labels.basis:
        body.append(_text(BAR_LEFT, y + 14, labels.basis, size=13, extra=f' fill="{MUTED}"'))
        y += 22
    for series, name in enumerate(labels.series):
        body.append(_rect(BAR_LEFT, y + 3, 14, 14, COLOURS[series]))
        body.append(_text(BAR_LEFT + 22, y + 15, name))
        y += 22
    y += 8
    summary: list[str] = []
    for group in groups:
        weight = ' font-weight="bold"' if group.reader else ""
        body.append(_text(BAR_LEFT, y + 15, _short(group.name), size=15, extra=weight))
        y += 22
        shown = []
        for series, rate in enumerate(group.rates):
            if rate is None:
                body.append(_rect(BAR_LEFT, y + 4, 6, 12, COLOURS[series]))
                body.append(_text(BAR_LEFT + 12, y + 15, labels.no_figure, extra=f' fill="{MUTED}"'))
                shown.append(f"{labels.series[series]} {labels.no_figure}")
            else:
                body.append(_rect(BAR_LEFT, y + 2, BAR_WIDTH, 16, TRACK))
                body.append(_rect(BAR_LEFT, y + 2, BAR_WIDTH * rate, 16, COLOURS[series]))
                body.append(_text(BAR_LEFT + BAR_WIDTH * rate + 6, y + 15, labels.percent(rate)))
                shown.append(f"{labels.series[series]} {labels.percent(rate)}")
            y += 22
        summary.append(f"{group.name}: {', '.join(shown)}")
        y += 10
    if hidden:
        body.append(
            _text(BAR_LEFT, y + 14, labels.more_units.format(n=hidden), size=13, extra=f' fill="{MUTED}"')
        )
        y += 22
    title = f"{labels.title} — {labels.subtitle}"
    return _svg("bars", title, "; ".join(summary), y + 4, body)


def trend_svg(weeks: Sequence[tuple[str, float | None]], labels: ChartLabels) -> Markup:
    """Self-checks on time, week by week: a line broken where a week has no figure (nothing due, or the
    week still running)."""
    height = 220.0
    top, bottom, left, right = 16.0, 180.0, 56.0, WIDTH - 16.0
    grid: list[str] = []
    for share in (0.0, 0.5, 1.0):
        y = bottom - (bottom - top) * share
        grid.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{TRACK}" stroke-width="1"/>'
        )
        grid.append(_text(4, y + 5, labels.percent(share), size=12, extra=f' fill="{MUTED}"'))
    if not weeks:
        grid.append(_text(left, (top + bottom) / 2, labels.no_weeks, extra=f' fill="{MUTED}"'))
        return _svg("trend", labels.trend_title, labels.no_weeks, height, grid)
    body: list[str] = []
    step = (right - left) / max(1, len(weeks))
    points: list[list[tuple[float, float]]] = [[]]
    summary = []
    for n, (label, rate) in enumerate(weeks):
        x = left + step * (n + 0.5)
        body.append(_text(x, bottom + 24, label, size=12, extra=' text-anchor="middle"'))
        if rate is None:
            body.append(
                _text(x, bottom - 6, labels.no_figure, size=12, extra=f' fill="{MUTED}" text-anchor="middle"')
            )
            points.append([])
            summary.append(f"{label}: {labels.no_figure}")
            continue
        y = bottom - (bottom - top) * rate
        points[-1].append((x, y))
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{TREND}"/>')
        body.append(
            _text(x, max(top + 10, y - 10), labels.percent(rate), size=12, extra=' text-anchor="middle"')
        )
        summary.append(f"{label}: {labels.percent(rate)}")
    lines = [
        f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in run)}" fill="none" stroke="{TREND}" '
        'stroke-width="3"/>'
        for run in points
        if len(run) > 1
    ]
    return _svg("trend", labels.trend_title, "; ".join(summary), height, grid + lines + body)
