"""The dashboard's files and its one action: the Excel the chat's /report sends, the chart as an SVG file,
and "Nhắc người chưa làm" (the chat's nudge, at most once a day per person)."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from starlette.responses import Response

from compliance.reports.chart import chart_groups
from compliance.reports.citizens import report_extras
from compliance.reports.dashboard import nudgeable
from compliance.reports.files import excel_report
from compliance.reports.satisfaction_report import report_satisfaction
from compliance.reports.weekly import plan_nudges
from handlers.commands import Access
from handlers.views.report_files import chart_labels, file_name, labels, unit_name
from handlers.web.context import WebContext, page
from handlers.web.dashboard.board import (
    board_of,
    dashboard_period_names,
    period_param,
    query,
    scope_unit,
    today,
)
from handlers.web.dashboard.svg import bars_svg

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(name: str) -> str:
    """An ASCII name for every browser, and the exact one (RFC 6266) for those that read it."""
    plain = name.encode("ascii", "replace").decode("ascii").replace('"', "'")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


@page(access=Access.MANAGER)
async def report_xlsx(context: WebContext) -> Response:
    params = context.request.query_params
    root = await scope_unit(context, params.get("unit"))
    _name, period = period_param(params.get("period"))
    report = (await board_of(context, root, period)).value.report
    satisfaction = await report_satisfaction(context.session, report)
    # The letters and the stars, as the chat's Excel has them (Zalo's heads download it here).
    extras = await report_extras(context.session, report, day=today())
    # seconds of CPU for a province: off the event loop, as the chat does
    content = await asyncio.to_thread(
        excel_report, report, labels(report.period, extras), satisfaction, extras
    )
    return Response(
        content=content,
        media_type=XLSX,
        headers={"content-disposition": attachment(f"{file_name(report)}.xlsx")},
    )


@page(access=Access.MANAGER)
async def chart_svg(context: WebContext) -> Response:
    params = context.request.query_params
    root = await scope_unit(context, params.get("unit"))
    period_name, period = period_param(params.get("period"))
    board = (await board_of(context, root, period)).value
    report = board.report
    chart = chart_labels(unit_name(report), report.period, dashboard_period_names()[period_name])
    groups, hidden = chart_groups(report.root, report.units, report.total, whole_office=chart.whole_office)
    svg = '<?xml version="1.0" encoding="UTF-8"?>\n' + str(bars_svg(groups, chart, hidden=hidden))
    return Response(content=svg.encode("utf-8"), media_type="image/svg+xml")


@page(access=Access.MANAGER)
async def nudge(context: WebContext) -> Response:
    """Reminds those with a lapse in the period's report, read fresh: who signed since the page was drawn
    is not reminded. The chat's rule holds: each person at most once a day, whoever asks."""
    root = await scope_unit(context, context.field("unit"))
    period_name, period = period_param(context.field("period"))
    report = (await board_of(context, root, period, fresh=True)).value.report
    planned = await plan_nudges(
        context.session, lapses=report.lapses, day=today(), actor=context.me, scope=report.root
    )
    if planned:
        outcome = {"nudge": "sent", "n": planned}
    else:
        outcome = {"nudge": "already" if nudgeable(report.lapses) else "none"}
    unit = str(root.id) if root is not None else ""
    return context.redirect(f"/dashboard?{query(unit=unit, period=period_name, **outcome)}")
