"""The unit tree for administrators: one level at a time with drill-down links (a 2 000-unit office stays
a page of ten), the chat's four changes as forms (add, rename, move, set head), the unit's kind, and a
search of former names (renamed or merged units). Merging is handlers.web.admin.units_merge.

Every change is compliance.office.unit_admin's, checked and audited there as from the chat's /units; a
refused change re-shows the page with the reason beside its form and changes nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.office import unit_admin, unit_listing, unit_merge
from compliance.office.unit_admin import UnitAdminError
from handlers.commands import Access
from handlers.i18n import _
from handlers.views import units as views
from handlers.web.context import WebContext, int_param, is_number, page
from handlers.web.errors import NotFound
from storage.models import Unit


def _page_number(value: str | None) -> int:
    return int(value) if value is not None and is_number(value, 6) else 0


async def show(
    context: WebContext,
    unit_id: int | None,
    page_number: int = 0,
    *,
    errors: dict[str, str] | None = None,
    query: str = "",
) -> Response:
    level = await unit_listing.browse(context.session, actor=context.me, unit_id=unit_id, page=page_number)
    if level is None:
        raise NotFound()
    unit = await context.session.get(Unit, unit_id) if unit_id is not None else None
    office = await unit_listing.office_counts(context.session) if unit is None else None
    staff = await unit_listing.unit_staff(context.session, unit) if unit is not None else []
    parent = await context.session.get(Unit, unit.parent_id) if unit is not None and unit.parent_id else None
    merged_into = await unit_merge.living(context.session, unit) if unit and unit.merged_into_id else None
    # The kinds already in use are offered as suggestions: each office names its units its own way.
    kinds = (
        await context.session.scalars(select(Unit.kind).where(Unit.kind.is_not(None)).distinct().limit(50))
    ).all()
    return context.render(
        "admin/units.html",
        status=400 if errors else 200,
        title=level.unit.name if level.unit else _("Units"),
        level=level,
        office=office,
        parent=parent,
        staff=staff,
        errors=errors or {},
        kinds=sorted(k for k in kinds if k),
        merged_into=merged_into,
        merged_in=await unit_merge.merged_into(context.session, unit) if unit is not None else [],
        query=query,
        past=await unit_merge.find_past_names(context.session, query) if query.strip() else None,
    )


@page(access=Access.ADMIN)
async def units_page(context: WebContext) -> Response:
    raw = context.request.query_params.get("unit")
    unit_id = int_param(raw) if raw is not None else None
    query = (context.request.query_params.get("q") or "")[:200]
    return await show(context, unit_id, _page_number(context.request.query_params.get("page")), query=query)


async def unit_of(context: WebContext) -> Unit:
    unit = await context.session.get(Unit, int_param(context.request.path_params["unit_id"]))
    if unit is None:
        raise NotFound()
    return unit


async def refused(context: WebContext, unit_id: int | None, form: str, error: UnitAdminError) -> Response:
    # unit_admin checks before it writes; the rollback also drops anything a check may have flushed.
    await context.session.rollback()
    return await show(context, unit_id, errors={form: views.refusal(error).text})


@page(access=Access.ADMIN)
async def add_unit(context: WebContext) -> Response:
    raw_parent = context.field("parent")
    parent = await context.session.get(Unit, int_param(raw_parent)) if raw_parent else None
    if raw_parent and parent is None:
        raise NotFound()
    parent_id = parent.id if parent else None
    try:
        added = await unit_admin.add_unit(
            context.session,
            actor=context.me,
            parent_code=parent.code if parent else None,
            code=context.field("code"),
            name=context.field("name"),
            kind=context.field("kind"),
        )
    except UnitAdminError as error:
        return await refused(context, parent_id, "add", error)
    return context.redirect(f"/admin/units?unit={added.id}")


@page(access=Access.ADMIN)
async def rename_unit(context: WebContext) -> Response:
    unit = await unit_of(context)
    try:
        await unit_admin.rename_unit(
            context.session, actor=context.me, code=unit.code, name=context.field("name")
        )
    except UnitAdminError as error:
        return await refused(context, unit.id, "rename", error)
    return context.redirect(f"/admin/units?unit={unit.id}")


@page(access=Access.ADMIN)
async def move_unit(context: WebContext) -> Response:
    unit = await unit_of(context)
    new_parent = context.field("parent").strip()
    try:
        await unit_admin.move_unit(
            context.session, actor=context.me, code=unit.code, new_parent_code=new_parent or None
        )
    except UnitAdminError as error:
        return await refused(context, unit.id, "move", error)
    return context.redirect(f"/admin/units?unit={unit.id}")


@page(access=Access.ADMIN)
async def set_head(context: WebContext) -> Response:
    unit = await unit_of(context)
    chosen = context.field("official")
    # Only someone from the unit's own staff list is offered; anyone else is refused like an unknown id.
    staff_ids = {member.id for member in await unit_listing.unit_staff(context.session, unit)}
    if not is_number(chosen) or int(chosen) not in staff_ids:
        return await show(context, unit.id, errors={"head": _("Choose the new head from the unit's staff.")})
    try:
        await unit_admin.set_head(context.session, actor=context.me, code=unit.code, official_id=int(chosen))
    except UnitAdminError as error:
        return await refused(context, unit.id, "head", error)
    return context.redirect(f"/admin/units?unit={unit.id}")


@page(access=Access.ADMIN)
async def set_kind(context: WebContext) -> Response:
    unit = await unit_of(context)
    try:
        await unit_admin.set_kind(
            context.session, actor=context.me, code=unit.code, kind=context.field("kind")
        )
    except UnitAdminError as error:
        return await refused(context, unit.id, "kind", error)
    return context.redirect(f"/admin/units?unit={unit.id}")


def routes() -> list[BaseRoute]:
    return [
        Route("/admin/units", units_page, methods=["GET"]),
        Route("/admin/units/add", add_unit, methods=["POST"]),
        Route("/admin/units/{unit_id}/rename", rename_unit, methods=["POST"]),
        Route("/admin/units/{unit_id}/move", move_unit, methods=["POST"]),
        Route("/admin/units/{unit_id}/head", set_head, methods=["POST"]),
        Route("/admin/units/{unit_id}/kind", set_kind, methods=["POST"]),
    ]
