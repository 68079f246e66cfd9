"""What every dashboard page starts from: the unit asked for (checked against the reader's reach), the
period, and the report of that subtree and period with its trend, kept a few minutes per process."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from starlette.requests import Request

from compliance.pledge.signing import Version, current_version
from compliance.reports.chart import weekly_on_time
from compliance.reports.dashboard import (
    PERIODS,
    YEAR,
    Kept,
    ReportCache,
    Status,
    dashboard_period,
    status_counts,
    trend,
    unit_key,
)
from compliance.reports.period import Period, PeriodKind
from compliance.reports.rollup import Figures, Report, build_report
from handlers.i18n import LOCAL_TZ, _, current_locale, fmt_percent
from handlers.views.report import period_names
from handlers.views.report_files import WEEKS
from handlers.web.context import WebContext, int_param
from handlers.web.errors import BadInput, NotFound
from storage.clock import utcnow
from storage.models import Unit

DEFAULT_PERIOD = PeriodKind.THIS_WEEK.value


def dashboard_period_names() -> dict[str, str]:
    """The chat's /report periods and the calendar year, by their name in a URL."""
    names = {kind.value: name for kind, name in period_names().items()}
    names[YEAR] = _("This year")
    return {name: names[name] for name in PERIODS}


@dataclass(frozen=True)
class Board:
    report: Report
    trend: list[tuple[Period, Figures]]  # the periods up to the report's, oldest first
    weeks: list[tuple[date, float | None]]  # self-checks on time in the last weeks (the chart's line)
    counts: dict[Status, int]  # people per status: one pass over a province's roster, not one per page
    version: Version | None  # the pledge the subtree's top signs: its items' texts name the weakest


def cache_of(request: Request) -> ReportCache:
    """The app's cache of boards, made on first use (one per app: tests and replicas do not share)."""
    state = request.app.state
    cache: ReportCache | None = getattr(state, "dashboard_cache", None)
    if cache is None:
        cache = state.dashboard_cache = ReportCache()
    return cache


def today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


async def scope_unit(context: WebContext, raw: str | None) -> Unit | None:
    """The subtree asked for: by default the head's own unit (the whole office for an admin); another
    unit only when the reader manages it (the domain's rule), else the same 404 as an unknown id."""
    me = context.me
    if not raw:
        if me.is_admin:
            return None
        unit = await context.session.get(Unit, me.unit_id) if me.unit_id is not None else None
    else:
        unit = await context.session.get(Unit, int_param(raw))
    if unit is None or not me.may_manage(unit):
        raise NotFound()
    return unit


def period_param(raw: str | None) -> tuple[str, Period]:
    name = raw or DEFAULT_PERIOD
    period = dashboard_period(name, today())
    if period is None:
        raise BadInput(_("Unknown period."))
    return name, period


async def board_of(
    context: WebContext, root: Unit | None, period: Period, *, fresh: bool = False
) -> Kept[Board]:
    async def compute() -> Board:
        report = await build_report(context.session, root=root, period=period)
        # the line ends with the period's last week begun: a year's future weeks have nothing to show
        last_day = min(period.end, today())
        last_monday = last_day - timedelta(days=last_day.weekday())
        weeks = await weekly_on_time(context.session, root=root, last_monday=last_monday, weeks=WEEKS)
        return Board(
            report,
            await trend(context.session, report),
            weeks,
            status_counts(report),
            await current_version(context.session, root),
        )

    key = ("board", unit_key(root), period.start, period.end)
    return await cache_of(context.request).get(key, compute, fresh=fresh)


@functools.lru_cache(maxsize=8192)
def _percent(locale: str, ratio: float) -> str:
    return fmt_percent(ratio)  # called with `locale` the current one: it is part of the key


def percent(ratio: float) -> str:
    """fmt_percent, remembered: a page of units shows hundreds of shares, most of them seen before (a
    unit of 25 people has 26 possible shares), and Babel's formatting was half of a warm page's time."""
    return _percent(current_locale(), ratio)


def share(ratio: float | None) -> str:
    """A share for a table cell: "—" where nothing was due (neither 0 % nor 100 %)."""
    return "—" if ratio is None else percent(ratio)


def query(**values: object) -> str:
    """A query string of the non-empty values, escaped for a URL (Jinja escapes it again for HTML)."""
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})
