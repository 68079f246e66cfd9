"""Merging a unit into another on the web: the unit's page names the target, a confirmation page shows
what would move (counts from compliance.office.unit_merge.plan_merge, nothing written yet), and only the
confirmation's own form merges. A refused merge re-shows the unit's page with the reason, unchanged."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.office import unit_merge
from compliance.office.unit_admin import UnitAdminError
from handlers.commands import Access
from handlers.i18n import _
from handlers.web.admin.units import refused, unit_of
from handlers.web.context import WebContext, page


@page(access=Access.ADMIN)
async def merge_preview(context: WebContext) -> Response:
    unit = await unit_of(context)
    try:
        plan = await unit_merge.plan_merge(
            context.session, actor=context.me, source_code=unit.code, target_code=context.field("target")
        )
    except UnitAdminError as error:
        return await refused(context, unit.id, "merge", error)
    return context.render(
        "admin/unit_merge.html",
        title=_("Merge {source} into {target}").format(source=plan.source_name, target=plan.target_name),
        plan=plan,
    )


@page(access=Access.ADMIN)
async def merge_confirm(context: WebContext) -> Response:
    unit = await unit_of(context)
    try:
        plan = await unit_merge.merge_units(
            context.session, actor=context.me, source_code=unit.code, target_code=context.field("target")
        )
    except UnitAdminError as error:
        return await refused(context, unit.id, "merge", error)
    return context.redirect(f"/admin/units?unit={plan.target_id}")


def routes() -> list[BaseRoute]:
    return [
        Route("/admin/units/{unit_id}/merge", merge_preview, methods=["POST"]),
        Route("/admin/units/{unit_id}/merge/confirm", merge_confirm, methods=["POST"]),
    ]
