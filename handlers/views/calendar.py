"""What /calendar says: the working-day calendar, extra days off and make-up working days."""

from __future__ import annotations

from datetime import date

from compliance.practice import calendar
from compliance.practice.calendar import SpecialDay
from handlers.i18n import _, fmt_date, fmt_number, fmt_weekday_date
from handlers.messages import OutMessage, echo, esc


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


def usage() -> OutMessage:
    return OutMessage(usage_text())


def not_a_date(typed: str) -> OutMessage:
    return OutMessage(_("“{text}” is not a date.").format(text=echo(typed)) + "\n\n" + usage_text())


def no_such_day(typed: str) -> OutMessage:
    return OutMessage(_("There is no day “{text}” in the calendar.").format(text=echo(typed)))


def calendar_shown(start: date, end: date, specials: list[SpecialDay]) -> OutMessage:
    lines = [_("<b>Calendar from {start} to {end}</b>").format(start=fmt_date(start), end=fmt_date(end))]
    lines.extend(f"{day_text(s.day)}: {esc(reason_text(s))}" for s in specials)
    if not specials:
        lines.append(_("No days off on weekdays and no make-up working days."))
    lines.append("")
    lines.append(
        _("Change it: /calendar off DATE [note], /calendar workday DATE [note], /calendar remove DATE")
    )
    return OutMessage("\n".join(lines))


def note_too_long(length: int) -> OutMessage:
    text = _("The note has {length} characters; a day's note can have at most {limit}. Nothing was saved.")
    return OutMessage(text.format(length=fmt_number(length), limit=calendar.MAX_NOTE_LENGTH))


def already_so(day: date, *, off: bool) -> OutMessage:
    text = (
        _("{day} is already a day off; nothing changed.")
        if off
        else _("{day} is already a working day; nothing changed.")
    )
    return OutMessage(text.format(day=day_text(day)))


def saved(day: date, *, off: bool) -> OutMessage:
    text = _("Saved: {day} is now a day off.") if off else _("Saved: {day} is now a working day.")
    return OutMessage(text.format(day=day_text(day)))


def nothing_to_remove(day: date) -> OutMessage:
    return OutMessage(_("The office has not changed {day}; nothing to remove.").format(day=day_text(day)))


def removed(day: date, *, working: bool) -> OutMessage:
    text = (
        _("Removed the office's change: {day} is a working day again.")
        if working
        else _("Removed the office's change: {day} is a day off again.")
    )
    return OutMessage(text.format(day=day_text(day)))
