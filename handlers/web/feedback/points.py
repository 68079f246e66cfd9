"""Reception points on the web (heads and admins, from the dashboard): the points of the units one
manages, a new one for a unit or a named desk, deactivate and reactivate, each point's A4 poster.

A head sees and changes the points of their unit and the units below it; an admin those of the whole
office; another unit's point is the same 404 as an unknown one.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.feedback import points as domain
from compliance.feedback.poster import poster_facts, poster_pdf
from compliance.office.units import is_live, tree_sorted
from compliance.text import ascii_slug
from handlers.commands import Access
from handlers.i18n import _
from handlers.views.poster import poster_labels
from handlers.web.context import WebContext, int_param, page
from handlers.web.dashboard.board import scope_unit
from handlers.web.errors import NotFound
from handlers.web.feedback.public import forget_desk
from storage.models import Unit
from storage.models_feedback import ReceptionPoint

PATH = "/dashboard/points"


async def _managed_units(context: WebContext, top: Unit | None) -> list[Unit]:
    query = select(Unit).where(is_live())
    if top is not None:
        query = query.where(Unit.path.startswith(top.path))
    return tree_sorted((await context.session.scalars(query)).all())


def _refusal_text(reason: str) -> str:
    if reason == domain.DESK_TOO_LONG:
        return _("The desk's name is too long (at most {n} characters).").format(n=domain.DESK_LONGEST)
    return _("This unit already has an active point with that name.")


async def _listing(
    context: WebContext, *, errors: dict[str, str] | None = None, notice: str = "", status: int = 200
) -> Response:
    top = await scope_unit(context, None)
    units = await _managed_units(context, top)
    return context.render(
        "feedback/points.html",
        status=status,
        title=_("Reception points"),
        lines=await domain.points_under(context.session, top),
        units=[
            (unit.id, "\u00a0\u00a0" * (unit.depth - (top.depth if top else 0)) + unit.name) for unit in units
        ],
        chosen={"unit": context.field("unit"), "desk": context.field("desk")[:200]},
        errors=errors or {},
        notice=notice,
        link=lambda code: context.config.link(domain.public_path(code)),
    )


@page(access=Access.MANAGER)
async def points_page(context: WebContext) -> Response:
    notice = {"created": _("The reception point is ready: download its poster below.")}.get(
        context.request.query_params.get("done", ""), ""
    )
    return await _listing(context, notice=notice)


async def _managed_unit(context: WebContext, raw: str) -> Unit:
    unit = await context.session.get(Unit, int_param(raw)) if raw else None
    if unit is None or unit.merged_into_id is not None or not context.me.may_manage(unit):
        raise NotFound()
    return unit


@page(access=Access.MANAGER)
async def create_point(context: WebContext) -> Response:
    raw = context.field("unit")
    if not raw:
        return await _listing(context, errors={"unit": _("Choose a unit.")}, status=400)
    unit = await _managed_unit(context, raw)
    try:
        await domain.create_point(context.session, unit=unit, desk=context.field("desk"), actor=context.me)
    except domain.PointRefused as exc:
        return await _listing(context, errors={"desk": _refusal_text(exc.reason)}, status=400)
    return context.redirect(f"{PATH}?done=created")


async def _managed_point(context: WebContext) -> ReceptionPoint:
    point = await context.session.get(ReceptionPoint, int_param(context.request.path_params["point"]))
    unit = await context.session.get(Unit, point.unit_id) if point is not None else None
    if point is None or unit is None or not context.me.may_manage(unit):
        raise NotFound()
    return point


@page(access=Access.MANAGER)
async def set_active(context: WebContext) -> Response:
    point = await _managed_point(context)
    await domain.set_active(
        context.session, point=point, active=context.field("active") == "1", actor=context.me
    )
    forget_desk(context.request, point.code)
    return context.redirect(PATH)


@page(access=Access.MANAGER)
async def poster(context: WebContext) -> Response:
    point = await _managed_point(context)
    facts = await poster_facts(context.session, point, public_url=context.config.public_url)
    content = await asyncio.to_thread(poster_pdf, facts, poster_labels())
    desk = f"-{ascii_slug(point.desk, max_length=30)}" if point.desk else ""
    name = f"poster-{ascii_slug(facts.unit, max_length=40)}{desk}-{point.code}.pdf"
    return Response(
        content=content,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def routes() -> list[BaseRoute]:
    return [
        Route(PATH, points_page, methods=["GET"]),
        Route(PATH, create_point, methods=["POST"]),
        Route(PATH + "/{point}/active", set_active, methods=["POST"]),
        Route(PATH + "/{point}/poster.pdf", poster, methods=["GET"]),
    ]
