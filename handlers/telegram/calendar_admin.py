"""/calendar for admins: the working-day calendar, extra days off and make-up working days."""

from __future__ import annotations

from datetime import date, timedelta

from telegram import Update

from compliance.practice import calendar
from compliance.practice.calendar import OverrideOutcome, SpecialDay, WorkCalendar
from compliance.text import clean_text
from handlers.i18n import _, current_locale, fmt_date, fmt_number, fmt_weekday_date
from handlers.messages import echo, esc
from handlers.scope import current_scope
from handlers.telegram.context import BotContext, reply
from storage.clock import local_today


def day_text(day: date) -> str:
    """ "Thứ Bảy, 22/08/2026" / "Saturday, 22 Aug 2026": a calendar's days are read by their weekday."""
    return fmt_weekday_date(day)


def reason_text(special: SpecialDay) -> str:
    """Why a day is listed, as plain text (escape it before it enters an HTML message)."""
    override = special.override
    if override is not None and override.kind == calendar.OFF:
        if override.note:
            return _("day off declared by the office: {note}").format(note=override.note)
        return _("day off declared by the office")
    if override is not None:
        if override.note:
            return _("working day declared by the office: {note}").format(note=override.note)
        return _("working day declared by the office")
    if special.makeup:
        return _("make-up working day (government decision)")
    if special.holiday:
        return _("day off: {holiday}").format(holiday=special.holiday)
    return _("day off")


def usage_text() -> str:
    return _(
        "Usage:\n"
        "/calendar: days off and make-up days this month and next\n"
        "/calendar off DATE [note]: an extra day off for the whole office\n"
        "/calendar workday DATE [note]: a make-up working day\n"
        "/calendar remove DATE: undo the office's change of that day\n"
        "DATE is written like 22/08/2026, 22/8 (this year) or 2026-08-22."
    )


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
        await reply(update, usage_text())
        return
    day = calendar.read_day(args[1], today=local_today())
    if day is calendar.DayProblem.NOT_A_DATE:
        await reply(update, _("“{text}” is not a date.").format(text=echo(args[1])) + "\n\n" + usage_text())
        return
    if not isinstance(day, date):
        await reply(update, _("There is no day “{text}” in the calendar.").format(text=echo(args[1])))
        return
    if action == "remove":
        await _remove(update, day)
    else:
        await _add(update, day, calendar.OFF if action == "off" else calendar.WORKDAY, " ".join(args[2:]))


async def _show(update: Update) -> None:
    scope = current_scope()
    start, end = month_range(local_today())
    work = await WorkCalendar.load(scope.session, start=start, end=end)
    lines = [_("<b>Calendar from {start} to {end}</b>").format(start=fmt_date(start), end=fmt_date(end))]
    specials = work.special_days(start, end, locale=current_locale())
    lines.extend(f"{day_text(s.day)}: {esc(reason_text(s))}" for s in specials)
    if not specials:
        lines.append(_("No days off on weekdays and no make-up working days."))
    lines.append("")
    lines.append(
        _("Change it: /calendar off DATE [note], /calendar workday DATE [note], /calendar remove DATE")
    )
    await reply(update, "\n".join(lines))


async def _add(update: Update, day: date, kind: str, note: str) -> None:
    scope = current_scope()
    assert scope.actor is not None
    if len(clean_text(note)) > calendar.MAX_NOTE_LENGTH:
        # Refused whole rather than cut: a note cut in the middle would say something else.
        text = _(
            "The note has {length} characters; a day's note can have at most {limit}. Nothing was saved."
        )
        await reply(
            update, text.format(length=fmt_number(len(clean_text(note))), limit=calendar.MAX_NOTE_LENGTH)
        )
        return
    outcome = await calendar.add_override(
        scope.session, day=day, kind=kind, note=note or None, actor=scope.actor
    )
    off = kind == calendar.OFF
    if outcome is OverrideOutcome.NOT_NEEDED:
        text = (
            _("{day} is already a day off; nothing changed.")
            if off
            else _("{day} is already a working day; nothing changed.")
        )
        await reply(update, text.format(day=day_text(day)))
        return
    await scope.commit()
    text = _("Saved: {day} is now a day off.") if off else _("Saved: {day} is now a working day.")
    await reply(update, text.format(day=day_text(day)))


async def _remove(update: Update, day: date) -> None:
    scope = current_scope()
    if not await calendar.remove_override(scope.session, day=day, actor=scope.actor):
        await reply(
            update, _("The office has not changed {day}; nothing to remove.").format(day=day_text(day))
        )
        return
    await scope.commit()
    work = await WorkCalendar.load(scope.session, start=day, end=day)
    text = (
        _("Removed the office's change: {day} is a working day again.")
        if work.is_working_day(day)
        else _("Removed the office's change: {day} is a day off again.")
    )
    await reply(update, text.format(day=day_text(day)))
