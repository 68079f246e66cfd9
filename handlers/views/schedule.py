"""What /schedule says: the office's or a unit's schedule, how to change it, and why a change is refused.

Fields and weekdays are shown, and accepted, in the reader's language ("giờ-nhắc", "T2" … "CN"); the
English field names keep working for everyone.
"""

from __future__ import annotations

from compliance.practice import schedules
from compliance.practice.schedules import Effective, ScheduleError, ScheduleProblem
from handlers.i18n import _, current_locale, fmt_short_weekday, fmt_weekday
from handlers.messages import OutMessage, echo, esc


def field_labels() -> dict[str, str]:
    return {
        "reminder_time": _("daily reminder at"),
        "selfcheck_open_weekday": _("self-check opens on"),
        "selfcheck_open_time": _("self-check opens at"),
        "selfcheck_deadline_time": _("self-check deadline (last working day of the week) at"),
        "quiz_weekday": _("weekly quiz on"),
        "quiz_time": _("weekly quiz at"),
        "summary_weekday": _("heads' weekly summary on"),
        "summary_time": _("heads' weekly summary at"),
    }


def field_name(field: str) -> str:
    """What the reader types for a field: "giờ-nhắc" in Vietnamese, "reminder_time" in English."""
    return field if current_locale() == "en" else schedules.VI_NAMES[field]


def value_text(field: str, value: object) -> str:
    """ "Thứ Sáu (T6)" for a weekday, the time as stored otherwise."""
    if field.endswith("_weekday") and isinstance(value, int):
        return f"{fmt_weekday(value)} ({fmt_short_weekday(value)})"
    return "—" if value is None else str(value)


def describe(effective: Effective) -> str:
    labels = field_labels()
    lines = []
    for field in schedules.FIELDS:
        shown = value_text(field, getattr(effective, field))
        label = labels[field][:1].upper() + labels[field][1:]
        lines.append(f"• {esc(label)}: <b>{esc(shown)}</b> (<code>{esc(field_name(field))}</code>)")
    return "\n".join(lines)


def usage() -> str:
    return _(
        "Usage: /schedule [unit code] shows the schedule; /schedule set FIELD VALUE [unit code] changes it; "
        "/schedule clear FIELD unit-code makes the unit follow the office again. FIELD is the name in "
        "brackets above; times are written like 07:45, weekdays as Mon, Tue … Sun. Example: {example}"
    ).format(example=f"/schedule set {field_name('reminder_time')} 07:30")


def problem_text(error: ScheduleError, value: str | None) -> str:
    if error.problem is ScheduleProblem.UNKNOWN_FIELD:
        names = ", ".join(field_name(f) for f in schedules.FIELDS)
        return _("There is no field “{field}”. The fields are: {names}.").format(
            field=echo(error.field), names=esc(names)
        )
    if error.problem is ScheduleProblem.NOT_A_TIME:
        return _("“{value}” is not a time of day: write it like 07:45.").format(value=echo(value or ""))
    if error.problem is ScheduleProblem.NOT_A_WEEKDAY:
        return _("“{value}” is not a weekday: write Mon, Tue, Wed, Thu, Fri, Sat or Sun.").format(
            value=echo(value or "")
        )
    return _("The whole office's schedule cannot be left empty: set another value instead.")


def schedule_shown(unit_name: str | None, effective: Effective) -> OutMessage:
    heading = (
        _("<b>Schedule of {unit}</b>").format(unit=esc(unit_name))
        if unit_name is not None
        else _("<b>Schedule of the whole office</b>")
    )
    return OutMessage(f"{heading}\n{describe(effective)}\n\n{esc(usage())}")


def schedule_usage() -> OutMessage:
    return OutMessage(esc(usage()))


def schedule_refused(error: ScheduleError, value: str | None) -> OutMessage:
    return OutMessage(problem_text(error, value) + "\n\n" + esc(usage()))


def schedule_saved(effective: Effective) -> OutMessage:
    return OutMessage(_("Saved; it applies from the next minute.") + "\n" + describe(effective))
