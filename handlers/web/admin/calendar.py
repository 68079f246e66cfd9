"""The working-day calendar as a form: the special days of three months, the office's own changes with
a button to undo each, and a form to add a day off or a make-up working day (compliance.practice.calendar,
as the chat's /calendar, audited there)."""

from __future__ import annotations

from datetime import date, timedelta

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.practice import calendar
from compliance.practice.calendar import OverrideOutcome, WorkCalendar
from compliance.text import clean_text
from handlers.commands import Access
from handlers.i18n import _, current_locale
from handlers.views import calendar as views
from handlers.web.context import WebContext, page
from storage.clock import local_today

MONTHS_SHOWN = 3


def shown_range(today: date) -> tuple[date, date]:
    """The first day of this month to the last day of the month MONTHS_SHOWN - 1 after it."""
    first = today.replace(day=1)
    end = first
    for _month in range(MONTHS_SHOWN):
        end = (end + timedelta(days=32)).replace(day=1)
    return first, end - timedelta(days=1)


async def _show(
    context: WebContext,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    start, end = shown_range(local_today())
    work = await WorkCalendar.load(context.session, start=start, end=end)
    specials = work.special_days(start, end, locale=current_locale())
    overrides = await calendar.list_overrides(context.session, start=start, end=start + timedelta(days=366))
    return context.render(
        "admin/calendar.html",
        status=400 if errors else 200,
        title=_("Calendar"),
        start=start,
        end=end,
        specials=[(views.day_text(s.day), views.reason_text(s), s.working) for s in specials],
        overrides=[(o.day, views.day_text(o.day), o.kind, o.note) for o in overrides],
        errors=errors or {},
        typed=typed or {},
        done=done,
        max_note=calendar.MAX_NOTE_LENGTH,
    )


@page(access=Access.ADMIN)
async def calendar_page(context: WebContext) -> Response:
    return await _show(context, done=context.request.query_params.get("done"))


def _read_day(typed: str, errors: dict[str, str]) -> date | None:
    day = calendar.read_day(typed, today=local_today())
    if isinstance(day, date):
        return day
    errors["day"] = (
        views.not_a_date(typed).text.split("\n", 1)[0]
        if day is calendar.DayProblem.NOT_A_DATE
        else views.no_such_day(typed).text
    )
    return None


@page(access=Access.ADMIN)
async def calendar_add(context: WebContext) -> Response:
    typed = {"day": context.field("day")[:40], "kind": context.field("kind"), "note": context.field("note")}
    errors: dict[str, str] = {}
    day = _read_day(typed["day"], errors)
    if typed["kind"] not in calendar.KINDS:
        errors["kind"] = _("Choose a day off or a working day.")
    note = clean_text(typed["note"])
    if len(note) > calendar.MAX_NOTE_LENGTH:
        # Refused whole rather than cut, as in the chat: a cut note would say something else.
        errors["note"] = views.note_too_long(len(note)).text
    if errors or day is None:
        return await _show(context, errors=errors, typed=typed)
    outcome = await calendar.add_override(
        context.session, day=day, kind=typed["kind"], note=note or None, actor=context.me
    )
    off = typed["kind"] == calendar.OFF
    if outcome is OverrideOutcome.NOT_NEEDED:
        return await _show(context, errors={"day": views.already_so(day, off=off).text}, typed=typed)
    return context.redirect("/admin/calendar?done=" + day.isoformat())


@page(access=Access.ADMIN)
async def calendar_remove(context: WebContext) -> Response:
    errors: dict[str, str] = {}
    day = _read_day(context.field("day")[:40], errors)
    if day is None:
        return await _show(context, errors=errors)
    if not await calendar.remove_override(context.session, day=day, actor=context.me):
        return await _show(context, errors={"day": views.nothing_to_remove(day).text})
    return context.redirect("/admin/calendar?done=" + day.isoformat())


def routes() -> list[BaseRoute]:
    return [
        Route("/admin/calendar", calendar_page, methods=["GET"]),
        Route("/admin/calendar/add", calendar_add, methods=["POST"]),
        Route("/admin/calendar/remove", calendar_remove, methods=["POST"]),
    ]
