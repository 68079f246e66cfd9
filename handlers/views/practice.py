"""Daily practice: the reminder's "read" mark, the weekly self-check (one message redrawn as the person
answers), its note, and /mute for leave."""

from __future__ import annotations

from datetime import date, timedelta

from compliance.practice import self_checks as practice
from compliance.practice.calendar import DayProblem, read_day
from compliance.practice.self_checks import SelfCheckView
from handlers.i18n import _, current_locale, fmt_date, fmt_datetime, fmt_number, fmt_weekday
from handlers.messages import Choice, OutMessage, echo, esc, row
from storage.clock import utcnow

MARKS = {"yes": "✅", "partly": "◐", "no": "✖"}
MAX_MUTE_DAYS = 180


def answer_label(answer: str) -> str:
    return {"yes": _("Achieved"), "partly": _("Partly achieved"), "no": _("Not achieved")}[answer]


def marked_read(first_time: bool) -> str:
    return _("Marked as read.") if first_time else _("Already marked.")


def read_choices() -> tuple[tuple[Choice, ...], ...]:
    return (row(Choice(_("✅ Read"), "rd:done")),)


def selfcheck_heading(view: SelfCheckView) -> list[str]:
    """The week, the pledge's title and the deadline: the head of the self-check on every channel."""
    title = view.title_en if current_locale() == "en" else view.title_vi
    return [
        _("<b>Weekly self-check</b>, week of {week}: {title}").format(
            week=fmt_date(view.week), title=esc(title)
        ),
        _("Answer each item honestly; you can change your answers until {deadline}.").format(
            deadline=fmt_datetime(view.deadline_at)
        ),
        "",
    ]


def selfcheck(view: SelfCheckView, cursor: int, *, edit: bool = False) -> OutMessage:
    locale = current_locale()
    lines = selfcheck_heading(view)
    for number, item in enumerate(view.items, start=1):
        mark = MARKS.get(view.answers.get(item.id, ""), "▫")
        pointer = "👉 " if number - 1 == cursor else ""
        lines.append(f"{pointer}{mark} {number}. {esc(item.text.get(locale))}")
    if view.note:
        lines += ["", _("Note: {note}").format(note=esc(view.note))]
    if view.status in ("done", "late"):
        lines += ["", _("✅ Completed. Thank you!")]
    elif view.status == "missed":
        lines += ["", _("The deadline has passed: you can still complete it, and it will count as late.")]
    choices: list[tuple[Choice, ...]] = []
    if view.editable(utcnow()):
        choices.append(
            tuple(
                Choice(f"{MARKS[a]} {answer_label(a)}", f"sc:{view.id}:{cursor}:{a[0]}")
                for a in practice.ANSWERS
            )
        )
        navigation = []
        if cursor > 0:
            navigation.append(Choice("◀", f"sc:{view.id}:go:{cursor - 1}"))
        if cursor + 1 < len(view.items):
            navigation.append(Choice("▶", f"sc:{view.id}:go:{cursor + 1}"))
        if navigation:
            choices.append(tuple(navigation))
        if view.status in ("done", "late"):
            choices.append(row(Choice(_("✍️ Add a note"), f"sc:{view.id}:note")))
    return OutMessage("\n".join(lines), choices=tuple(choices), edit=edit)


def not_open(weekday: int, time: str) -> OutMessage:
    text = _("There is no self-check open for you yet. It opens on {weekday} at {time}.")
    return OutMessage(text.format(weekday=fmt_weekday(weekday), time=time))


def closed() -> str:
    return _("This self-check is closed: its deadline has passed.")


def saved(completed: bool) -> str:
    return _("Completed. Thank you!") if completed else _("Saved.")


def ask_note() -> OutMessage:
    return OutMessage(
        _("Type a short note for this week's self-check (up to {limit} characters), or /cancel.").format(
            limit=fmt_number(practice.MAX_NOTE)
        )
    )


def note_too_long(length: int) -> OutMessage:
    # Nothing is kept: the person sends a shorter note (still in this step) or /cancel.
    return OutMessage(
        _(
            "Your note has {length} characters; a note can have at most {limit}. Nothing was saved: "
            "send a shorter note, or /cancel."
        ).format(length=fmt_number(length), limit=fmt_number(practice.MAX_NOTE))
    )


def note_empty() -> OutMessage:
    return OutMessage(_("The note is empty. Type a few words, or /cancel."))


def note_saved(saved: bool) -> OutMessage:
    return OutMessage(
        _("Note saved.") if saved else _("The note could not be saved: the self-check is closed.")
    )


def unmuted(removed: bool) -> OutMessage:
    return OutMessage(_("Daily reminders are on again.") if removed else _("Your reminders were not muted."))


def mute_status(until: date | None) -> OutMessage:
    status = (
        _("Reminders are muted until {date}.").format(date=fmt_date(until))
        if until
        else _("Reminders are on.")
    )
    return OutMessage(status + "\n" + mute_usage())


def mute_refused(problem: str) -> OutMessage:
    return OutMessage(problem + "\n" + mute_usage())


def muted(until: date) -> OutMessage:
    return OutMessage(
        _("Daily reminders muted until {date}. Self-checks and quizzes stay on.").format(date=fmt_date(until))
    )


def mute_usage() -> str:
    return _(
        "Usage: /mute 15/12 mutes the daily reminder until that day (at most 180 days); "
        "/mute off turns it back on. Self-checks and quizzes stay on."
    )


def mute_day(text: str, today: date) -> date | str:
    """The day typed after /mute, or what is wrong with it, said in the reader's language."""
    day = read_day(text, today=today)
    if day is DayProblem.NOT_A_DATE:
        return _("“{text}” is not a date: write the day and month, like 15/12 or 15/12/2026.").format(
            text=echo(text)
        )
    if day is DayProblem.NO_SUCH_DAY:
        return _("There is no day “{text}” in the calendar.").format(text=echo(text))
    assert isinstance(day, date)
    if day < today and text.count("/") + text.count(".") + text.count("-") == 1:
        # "5/1" typed in December means next January, not the one that has passed.
        try:
            day = day.replace(year=day.year + 1)
        except ValueError:  # 29/02 in a year without it
            return _("There is no day “{text}” in the calendar.").format(text=echo(text))
    if day < today:
        return _("{date} is in the past: choose today or a later day.").format(date=fmt_date(day))
    last = today + timedelta(days=MAX_MUTE_DAYS)
    if day > last:
        text = _("{date} is more than {n} days ahead: reminders can be muted until {last} at the latest.")
        return text.format(date=fmt_date(day), n=MAX_MUTE_DAYS, last=fmt_date(last))
    return day
