"""GET /dashboard/satisfaction: what citizens said of a subtree's desks in a period (the dashboard's
periods): the ratings and the SIPAS index, each question's distribution as a bar chart with the same
numbers in a table, the trend, the units below, the flagged ratings with their follow-up state (each a
link to its follow-up page) and the latest comments (heads and admins only: this is their page, never a
group's)."""

from __future__ import annotations

from starlette.responses import Response

from compliance.feedback import followup
from compliance.reports import satisfaction as figures
from compliance.reports.satisfaction_lists import comments
from handlers.commands import Access
from handlers.i18n import _
from handlers.views.satisfaction import level_name
from handlers.web.context import WebContext, page
from handlers.web.dashboard.board import (
    dashboard_period_names,
    percent,
    period_param,
    query,
    scope_unit,
    share,
)
from handlers.web.dashboard.overview import day_text, parent_link
from handlers.web.dashboard.satisfaction_data import Computed, computed_for, distribution_svg, distributions
from handlers.web.feedback.followup import state_names

PATH = "/dashboard/satisfaction"


@page(access=Access.MANAGER)
async def satisfaction_page(context: WebContext) -> Response:
    params = context.request.query_params
    root = await scope_unit(context, params.get("unit"))
    period_name, period = period_param(params.get("period"))
    kept = await computed_for(context, root, period_name, period, fresh=params.get("refresh") == "1")
    computed: Computed = kept.value
    start, end = figures.period_bounds(period)
    unit_param = str(root.id) if root is not None else ""
    total = computed.total
    charts = [(d, distribution_svg(d)) for d in distributions(total)]
    return context.render(
        "dashboard/satisfaction.html",
        title=_("Citizens' satisfaction"),
        root=root,
        unit_title=root.name if root is not None else _("The whole office"),
        unit_param=unit_param,
        parent=await parent_link(context, root),
        period_name=period_name,
        period=period,
        period_names=dashboard_period_names(),
        computed_at=kept.computed_at,
        total=total,
        charts=charts,
        lines=computed.lines,
        trend=computed.trend,
        step=computed.step,
        flagged=await followup.flagged_ratings(context.session, root=root, start=start, end=end),
        states=state_names(),
        comments=await comments(context.session, root=root, start=start, end=end),
        level_name=level_name,
        query=query,
        pct=share,
        percent=percent,
        day_text=day_text,
    )
