"""GET /dashboard: a subtree's figures against the staff list for a period, the trend, the charts, the
table of the units below (sortable, each a link one level down) and the ways to the people by status."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from markupsafe import Markup
from starlette.responses import Response

from compliance.feedback.letters import subtree_counts
from compliance.reports.chart import chart_groups
from compliance.reports.dashboard import Status
from compliance.reports.rollup import Figures, Report, UnitLine
from compliance.text import vietnamese_key
from handlers.commands import Access
from handlers.i18n import LOCAL_TZ, _, current_locale, fmt_date
from handlers.views.report_files import chart_labels, unit_name
from handlers.web.context import WebContext, is_number, page
from handlers.web.dashboard.board import (
    Board,
    board_of,
    dashboard_period_names,
    percent,
    period_param,
    query,
    scope_unit,
    share,
)
from handlers.web.dashboard.satisfaction_data import computed_for
from handlers.web.dashboard.svg import bars_svg, trend_svg
from storage.models import Unit

SORTS: dict[str, Callable[[Figures], float]] = {
    "on_list": lambda f: f.on_list,
    "joined": lambda f: _rate(f.joined_rate),
    "signed": lambda f: _rate(f.signed_rate),
    "selfcheck": lambda f: _rate(f.done_rate),
    "quiz": lambda f: _rate(f.quiz_rate),
}
SORT_COLUMNS = ("name", *SORTS)


def _rate(value: float | None) -> float:
    """Nothing due sorts below 0 %: a unit without figures is not ahead of one with."""
    return -1.0 if value is None else value


def day_text(value: date) -> str:
    return fmt_date(datetime.combine(value, time(12), LOCAL_TZ))


def arrow(now: float | None, before: float | None) -> str:
    """The chat's trend marks (handlers.views.report): up, down or level by half a point."""
    if now is None or before is None:
        return ""
    delta = now - before
    return "▲" if delta > 0.005 else ("▼" if delta < -0.005 else "=")


@dataclass(frozen=True)
class FigureRow:
    label: str
    count: int
    of: int
    rate: float | None
    arrow: str
    status: str | None  # the people filter listing those missing from `count`


def figure_rows(report: Report) -> list[FigureRow]:
    """The report's figures against the list, as the chat's /report lines them up; the self-checks'
    trend only once the period is over (a running week's early answers are not a trend)."""
    f, before = report.total, report.previous_total
    return [
        FigureRow(
            _("Joined the bot"),
            f.joined,
            f.on_list,
            f.joined_rate,
            arrow(f.joined_rate, before.joined_rate),
            Status.NOT_JOINED,
        ),
        FigureRow(
            _("Signed the pledge"),
            f.signed,
            f.on_list,
            f.signed_rate,
            arrow(f.signed_rate, before.signed_rate),
            Status.NOT_SIGNED,
        ),
        FigureRow(
            _("Signed in {year}").format(year=report.year),
            f.signed_in_year,
            f.on_list,
            f.signed_in_year_rate,
            "",
            None,
        ),
        FigureRow(
            _("Self-checks done"),
            f.checks_done,
            f.check_slots,
            f.done_rate,
            arrow(f.done_rate, before.done_rate) if report.complete else "",
            Status.SELFCHECK_MISSED,
        ),
        FigureRow(
            _("Quizzes taken"),
            f.quiz_takers,
            f.quiz_slots,
            f.quiz_rate,
            arrow(f.quiz_rate, before.quiz_rate),
            Status.QUIZ_MISSING,
        ),
        FigureRow(
            _("Reminders read %"),
            f.reminders_read,
            f.reminders_sent,
            f.read_rate,
            arrow(f.read_rate, before.read_rate),
            None,
        ),
    ]


def below(report: Report) -> list[UnitLine]:
    """The units one level below the subtree's top (for the whole office: below its single top unit, or
    the top units when there are several), as the chart groups them."""
    lines = report.units
    if not lines:
        return []
    if report.root is not None:
        own = next((line for line in lines if line.unit_id == report.root.id), None)
        return [line for line in lines if own is not None and line.depth == own.depth + 1]
    top = min(line.depth for line in lines)
    tops = [line for line in lines if line.depth == top]
    if len(tops) == 1:
        return [line for line in lines if line.depth == top + 1]
    return tops


def sorted_lines(lines: list[UnitLine], sort: str, descending: bool) -> list[UnitLine]:
    by_name = sorted(lines, key=lambda line: vietnamese_key(line.name))
    if sort in SORTS:
        key = SORTS[sort]
        # stable: equal figures keep the names' order whichever way the column is read
        return sorted(by_name, key=lambda line: key(line.subtree), reverse=descending)
    return list(reversed(by_name)) if descending else by_name


def weakest_item(board: Board) -> tuple[str, float] | None:
    """The pledge item the subtree rates itself lowest on, as the chat's /report names it."""
    averages = board.report.total.item_averages()
    if not averages:
        return None
    weakest = min(averages, key=averages.__getitem__)
    items = board.version.template.items if board.version is not None else []
    texts = {item.id: item.text.get(current_locale()) for item in items}
    return texts.get(weakest) or weakest, averages[weakest]


async def parent_link(context: WebContext, root: Unit | None) -> Unit | None:
    """The unit above, when the reader manages it too (a head's own unit has none for them)."""
    me = context.me
    if root is None or root.parent_id is None or (not me.is_admin and root.id == me.unit_id):
        return None  # a head's own unit: nothing above it is theirs
    parent = await context.session.get(Unit, root.parent_id)
    return parent if parent is not None and me.may_manage(parent) else None


def nudge_notice(context: WebContext) -> str | None:
    params = context.request.query_params
    outcome = params.get("nudge")
    if outcome == "sent":
        count = params.get("n", "0")
        return _("{n} officials will be reminded (each at most once a day).").format(
            n=int(count) if is_number(count, longest=6) else 0
        )
    if outcome == "already":
        return _("Today's reminder was already sent: each person is reminded at most once a day.")
    if outcome == "none":
        return _("Nobody to remind: no one in reach has a lapse a reminder can help with.")
    return None


# Rendered fragments kept per report and reading: the figures and tables of a 50-unit subtree are most of
# a page's time (tens of milliseconds of templating), the same for every reader of the same report.
FRAGMENTS_KEPT = 64


def _fragments(context: WebContext) -> OrderedDict[Hashable, tuple[Markup, Markup]]:
    state = context.request.app.state
    if not hasattr(state, "dashboard_fragments"):
        state.dashboard_fragments = OrderedDict()
    kept: OrderedDict[Hashable, tuple[Markup, Markup]] = state.dashboard_fragments
    return kept


def _render_fragments(
    context: WebContext, board: Board, period_name: str, unit_param: str, sort: str, descending: bool
) -> tuple[Markup, Markup]:
    report = board.report
    names = dashboard_period_names()
    labels = replace(
        chart_labels(unit_name(report), report.period, names[period_name], weeks=len(board.weeks)),
        percent=percent,
    )
    groups, hidden = chart_groups(report.root, report.units, report.total, whole_office=labels.whole_office)
    weekly = [(monday.strftime("%d/%m"), rate) for monday, rate in board.weeks]
    values = {
        "report": report,
        "unit_param": unit_param,
        "period_name": period_name,
        "figures": figure_rows(report),
        "trend": board.trend,
        "weakest": weakest_item(board),
        "counts": board.counts,
        "lines": sorted_lines(below(report), sort, descending),
        "sort": sort,
        "descending": descending,
        "sort_columns": SORT_COLUMNS,
        "bars": bars_svg(groups, labels, hidden=hidden),
        "trend_chart": trend_svg(weekly, labels),
        "weekly": weekly,
        "query": query,
        "percent": percent,
        "pct": share,
        "day_text": day_text,
        "Status": Status,
    }
    env = context.request.app.state.templates
    return (
        Markup(env.get_template("dashboard/_figures.html").render(**values)),  # noqa: S704 - autoescaped
        Markup(env.get_template("dashboard/_board.html").render(**values)),  # noqa: S704 - autoescaped
    )


@page(access=Access.MANAGER)
async def dashboard(context: WebContext) -> Response:
    params = context.request.query_params
    root = await scope_unit(context, params.get("unit"))
    period_name, period = period_param(params.get("period"))
    sort = params.get("sort", "name")
    sort = sort if sort in SORT_COLUMNS else "name"
    descending = params.get("dir") == "desc"
    kept = await board_of(context, root, period, fresh=params.get("refresh") == "1")
    board: Board = kept.value
    report = board.report
    unit_param = str(root.id) if root is not None else ""
    # The unit was checked against the reader above (scope_unit): the fragments hold nothing else of theirs.
    key = (id(board), kept.computed_at, unit_param, period_name, sort, descending, current_locale())
    fragments = _fragments(context)
    rendered = fragments.get(key)
    if rendered is None:
        rendered = _render_fragments(context, board, period_name, unit_param, sort, descending)
        fragments[key] = rendered
        while len(fragments) > FRAGMENTS_KEPT:
            fragments.popitem(last=False)
    else:
        fragments.move_to_end(key)
    figures_html, board_html = rendered
    satisfaction = await computed_for(context, root, period_name, period, fresh=params.get("refresh") == "1")
    start, end = (
        datetime.combine(day, time(), LOCAL_TZ) for day in (period.start, period.end + timedelta(days=1))
    )
    letters = await subtree_counts(context.session, top=root, start=start, end=end)
    return context.render(
        "dashboard/index.html",
        title=_("Dashboard"),
        root=root,
        unit_title=unit_name(report),
        unit_param=unit_param,
        parent=await parent_link(context, root),
        period_name=period_name,
        period=report.period,
        period_names=dashboard_period_names(),
        computed_at=kept.computed_at,
        figures_html=figures_html,
        board_html=board_html,
        notice=nudge_notice(context),
        query=query,
        day_text=day_text,
        satisfaction=satisfaction.value.total,
        letters=letters,
        pct=share,
    )
