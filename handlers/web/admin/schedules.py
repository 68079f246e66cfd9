"""The schedules as a form: the office's, or one unit's (empty fields follow the unit above), every field
set through compliance.practice.schedules.set_field as the chat's /schedule, its refusals beside the field
and the whole form kept or dropped together."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.office.units import get_unit_by_code
from compliance.practice import schedules
from compliance.practice.schedules import ScheduleError
from handlers.commands import Access
from handlers.i18n import _, fmt_weekday
from handlers.views import schedule as views
from handlers.web.context import WebContext, page
from handlers.web.errors import NotFound
from storage.models import Unit

# What the weekday choices send: English short names, which parse_weekday reads in every language.
WEEKDAY_VALUES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _as_text(field: str, value: object) -> str:
    if value is None:
        return ""
    if field.endswith("_weekday") and isinstance(value, int):
        return WEEKDAY_VALUES[value]
    return str(value)


async def _unit(context: WebContext) -> Unit | None:
    code = context.request.query_params.get("unit", "")[:40]
    if not code:
        return None
    unit = await get_unit_by_code(context.session, code)
    if unit is None:
        raise NotFound()
    return unit


async def _show(
    context: WebContext,
    unit: Unit | None,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    saved: bool = False,
) -> Response:
    effective = (await schedules.load_schedules(context.session)).for_unit(unit.id if unit else None)
    own = await schedules.own_values(context.session, unit)
    labels = views.field_labels()
    values = typed or {
        f: _as_text(f, own[f] if unit is not None else getattr(effective, f)) for f in schedules.FIELDS
    }
    rows = [
        (
            field,
            labels[field][:1].upper() + labels[field][1:],
            field.endswith("_weekday"),
            values.get(field, ""),
            views.value_text(field, getattr(effective, field)),
        )
        for field in schedules.FIELDS
    ]
    return context.render(
        "admin/schedules.html",
        status=400 if errors else 200,
        title=_("Schedules"),
        unit=unit,
        rows=rows,
        weekdays=[(value, fmt_weekday(n)) for n, value in enumerate(WEEKDAY_VALUES)],
        errors=errors or {},
        saved=saved,
    )


@page(access=Access.ADMIN)
async def schedules_page(context: WebContext) -> Response:
    unit = await _unit(context)
    return await _show(context, unit, saved=context.request.query_params.get("saved") == "1")


def _parsed(field: str, text: str) -> str | int | None:
    return schedules.parse_weekday(text) if field.endswith("_weekday") else schedules.parse_time(text)


@page(access=Access.ADMIN)
async def schedules_save(context: WebContext) -> Response:
    unit = await _unit(context)
    current = (await schedules.load_schedules(context.session)).for_unit(unit.id if unit else None)
    own = await schedules.own_values(context.session, unit)
    typed = {field: context.field(field).strip()[:20] for field in schedules.FIELDS}
    errors: dict[str, str] = {}
    for field, text in typed.items():
        if unit is not None and not text:
            if own[field] is None:
                continue  # already following the unit above
            value: str | None = None
        else:
            if text and _parsed(field, text) == (own[field] if unit is not None else getattr(current, field)):
                continue  # unchanged: no audit line for a field nobody touched
            value = text or None  # the office's empty field: set_field says it cannot be left empty
        try:
            await schedules.set_field(context.session, unit=unit, field=field, value=value, actor=context.me)
        except ScheduleError as error:
            errors[field] = views.problem_text(error, text)
    if errors:
        # One form, one decision: a refused field leaves the others unsaved too.
        code = unit.code if unit is not None else None
        await context.session.rollback()
        unit = await get_unit_by_code(context.session, code) if code else None
        return await _show(context, unit, typed=typed, errors=errors)
    suffix = f"unit={unit.code}&" if unit is not None else ""
    return context.redirect(f"/admin/schedules?{suffix}saved=1")


def routes() -> list[BaseRoute]:
    return [
        Route("/admin/schedules", schedules_page, methods=["GET"]),
        Route("/admin/schedules", schedules_save, methods=["POST"]),
    ]
