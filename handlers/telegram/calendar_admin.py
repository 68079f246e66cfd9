"""/calendar for admins: the working-day calendar, extra days off and make-up working days (the replies
are handlers.views.calendar)."""

from __future__ import annotations

from datetime import date, timedelta

from telegram import Update

from compliance.practice import calendar
from compliance.practice.calendar import OverrideOutcome, WorkCalendar
from compliance.text import clean_text
from handlers.i18n import current_locale
from handlers.scope import current_scope
from handlers.telegram.context import BotContext
from handlers.telegram.render import answer
from handlers.views import calendar as views
from storage.clock import local_today


def month_range(today: date) -> tuple[date, date]:
    """The first day of `today`'s month and the last day of the month after it."""
    first = today.replace(day=1)
    after_next = (first + timedelta(days=64)).replace(day=1)
    return first, after_next - timedelta(days=1)


async def calendar_command(update: Update, context: BotContext) -> None:
    args = list(context.args or [])
    if not args:
        await _show(update)
        return
    action = args[0].lower()
    if action not in ("off", "workday", "remove") or len(args) < 2:
        await answer(update, views.usage())
        return
    day = calendar.read_day(args[1], today=local_today())
    if day is calendar.DayProblem.NOT_A_DATE:
        await answer(update, views.not_a_date(args[1]))
        return
    if not isinstance(day, date):
        await answer(update, views.no_such_day(args[1]))
        return
    if action == "remove":
        await _remove(update, day)
    else:
        await _add(update, day, calendar.OFF if action == "off" else calendar.WORKDAY, " ".join(args[2:]))


async def _show(update: Update) -> None:
    scope = current_scope()
    start, end = month_range(local_today())
    work = await WorkCalendar.load(scope.session, start=start, end=end)
    specials = work.special_days(start, end, locale=current_locale())
    await answer(update, views.calendar_shown(start, end, specials))


async def _add(update: Update, day: date, kind: str, note: str) -> None:
    scope = current_scope()
    assert scope.actor is not None
    if len(clean_text(note)) > calendar.MAX_NOTE_LENGTH:
        # Refused whole rather than cut: a note cut in the middle would say something else.
        await answer(update, views.note_too_long(len(clean_text(note))))
        return
    outcome = await calendar.add_override(
        scope.session, day=day, kind=kind, note=note or None, actor=scope.actor
    )
    off = kind == calendar.OFF
    if outcome is OverrideOutcome.NOT_NEEDED:
        await answer(update, views.already_so(day, off=off))
        return
    await scope.commit()
    await answer(update, views.saved(day, off=off))


async def _remove(update: Update, day: date) -> None:
    scope = current_scope()
    if not await calendar.remove_override(scope.session, day=day, actor=scope.actor):
        await answer(update, views.nothing_to_remove(day))
        return
    await scope.commit()
    work = await WorkCalendar.load(scope.session, start=day, end=day)
    await answer(update, views.removed(day, working=work.is_working_day(day)))
