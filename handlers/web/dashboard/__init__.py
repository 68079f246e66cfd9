"""The heads' dashboard: a subtree's figures for a period, the units below, people by status, the Excel,
the chart and the nudge. Heads see their unit and below, admins the whole office (compliance's reach)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from handlers.web.dashboard.files import chart_svg, nudge, report_xlsx
from handlers.web.dashboard.overview import dashboard
from handlers.web.dashboard.people import people
from handlers.web.dashboard.satisfaction import satisfaction_page


def routes() -> list[BaseRoute]:
    return [
        Route("/dashboard", dashboard, methods=["GET"]),
        Route("/dashboard/people", people, methods=["GET"]),
        Route("/dashboard/report.xlsx", report_xlsx, methods=["GET"]),
        Route("/dashboard/chart.svg", chart_svg, methods=["GET"]),
        Route("/dashboard/nudge", nudge, methods=["POST"]),
        Route("/dashboard/satisfaction", satisfaction_page, methods=["GET"]),
    ]
