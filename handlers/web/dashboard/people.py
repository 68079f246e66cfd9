"""GET /dashboard/people: the people of a subtree in one status for the period (not joined, not signed,
a self-check missed, a weekly quiz not taken), with their unit, a page at a time."""

from __future__ import annotations

from starlette.responses import Response

from compliance.reports.dashboard import Status, page_of, people_with, weeks_of
from handlers.commands import Access
from handlers.i18n import _
from handlers.views.report import lapse_names
from handlers.views.report_files import unit_name
from handlers.web.context import WebContext, is_number, page
from handlers.web.dashboard.board import board_of, dashboard_period_names, period_param, query, scope_unit
from handlers.web.errors import BadInput

PAGE_SIZE = 50


def status_names() -> dict[Status, str]:
    return {
        Status.NOT_JOINED: _("Not joined"),
        Status.NOT_SIGNED: _("Not signed"),
        Status.SELFCHECK_MISSED: _("Self-check missed"),
        Status.QUIZ_MISSING: _("Quiz not taken"),
    }


def page_number(raw: str | None) -> int:
    return int(raw) if raw is not None and is_number(raw, longest=6) else 1


@page(access=Access.MANAGER)
async def people(context: WebContext) -> Response:
    params = context.request.query_params
    root = await scope_unit(context, params.get("unit"))
    period_name, period = period_param(params.get("period"))
    try:
        status = Status(params.get("status", Status.NOT_SIGNED.value))
    except ValueError as exc:
        raise BadInput(_("Unknown status.")) from exc
    report = (await board_of(context, root, period)).value.report
    shown = page_of(people_with(report, status), page_number(params.get("page")), PAGE_SIZE)
    return context.render(
        "dashboard/people.html",
        title=_("People by status"),
        root=root,
        unit_title=unit_name(report),
        unit_param=str(root.id) if root is not None else "",
        period_name=period_name,
        period_names=dashboard_period_names(),
        chosen=status,
        status_names=status_names(),
        shown=shown,
        weeks=weeks_of(report),
        lapse_names=lapse_names(),
        query=query,
    )
