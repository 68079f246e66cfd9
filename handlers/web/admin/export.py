"""The emulation export as downloads: what `python -m bot export --period … [--unit …]` writes, for a
year or a quarter, the whole office or one unit's subtree (compliance.reports.review)."""

from __future__ import annotations

import asyncio
from datetime import date

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.office.units import get_unit_by_code
from compliance.reports.review import (
    parse_review_period,
    review_rows,
    review_satisfaction,
    review_stars,
    review_workbook,
)
from handlers.commands import Access
from handlers.i18n import _
from handlers.views.report_files import citizens_labels, review_header, satisfaction_sheet
from handlers.web.context import WebContext, page
from storage.clock import local_today

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def period_choices(today: date) -> list[str]:
    """This year's quarters so far and the year, then last year's: the periods an office reviews."""
    quarter = (today.month - 1) // 3 + 1
    this_year = [f"{today.year}Q{q}" for q in range(quarter, 0, -1)] + [str(today.year)]
    last = today.year - 1
    return this_year + [f"{last}Q{q}" for q in range(4, 0, -1)] + [str(last)]


def _form(context: WebContext, *, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    params = context.request.query_params
    return context.render(
        "admin/export.html",
        status=status,
        title=_("Emulation export"),
        choices=period_choices(local_today()),
        chosen={"period": params.get("period", "")[:10], "unit": params.get("unit", "")[:40]},
        errors=errors or {},
    )


@page(access=Access.ADMIN)
async def export_page(context: WebContext) -> Response:
    return _form(context)


@page(access=Access.ADMIN)
async def export_download(context: WebContext) -> Response:
    params = context.request.query_params
    label = params.get("period", "").strip().upper()[:10]
    code = params.get("unit", "").strip()[:40]
    errors: dict[str, str] = {}
    # ASCII only: the label goes into the download's file name, a Latin-1 header (and "\d" in the period's
    # pattern also takes other scripts' digits, which would make that header fail with a 500).
    period = parse_review_period(label) if label.isascii() else None
    if period is None:
        errors["period"] = _("The period must be a year (2027) or a quarter (2027Q1).")
    unit = await get_unit_by_code(context.session, code) if code else None
    if code and unit is None:
        errors["unit"] = _("Unit not found: {code}").format(code=code)
    if errors or period is None:
        return _form(context, errors=errors, status=400)
    units, rows = await review_rows(context.session, root=unit, period=period)
    # The units' stars of the same period and scope, as the chat's review button adds them.
    stars = await review_stars(context.session, period, root=unit, today=local_today())
    sheet = (stars, citizens_labels(stars)) if stars is not None else None
    rated = satisfaction_sheet(*await review_satisfaction(context.session, units, period))
    # Seconds of CPU for a big office: built off the event loop, as the chat's button does.
    workbook = await asyncio.to_thread(review_workbook, units, rows, review_header(), sheet, rated)
    name = f"emulation-review-{label}{'-' + unit.code if unit else ''}.xlsx"
    return Response(
        content=workbook, media_type=XLSX, headers={"content-disposition": f'attachment; filename="{name}"'}
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/admin/export", export_page, methods=["GET"]),
        Route("/admin/export/download", export_download, methods=["GET"]),
    ]
