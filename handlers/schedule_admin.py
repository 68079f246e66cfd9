"""/schedule for admins: see the office's schedule, change a time for the office or one unit."""

from __future__ import annotations

from telegram import Update

from compliance import schedules
from compliance.schedules import Effective, ScheduleError
from compliance.units import get_unit_by_code
from handlers.context import BotContext, echo, esc, reply
from handlers.i18n import _
from handlers.scope import current_scope
from storage.models import Unit

WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")


def field_names() -> dict[str, str]:
    return {
        "reminder_time": _("daily reminder"),
        "selfcheck_open_weekday": _("self-check opens (weekday 0=Mon…6=Sun)"),
        "selfcheck_open_time": _("self-check opens at"),
        "selfcheck_deadline_time": _("self-check deadline (last working day) at"),
        "quiz_weekday": _("quiz day (0=Mon…6=Sun)"),
        "quiz_time": _("quiz at"),
        "summary_weekday": _("heads' weekly summary day (0=Mon…6=Sun)"),
        "summary_time": _("heads' weekly summary at"),
    }


def describe(effective: Effective) -> str:
    names = field_names()
    lines = []
    for field in schedules.FIELDS:
        value = getattr(effective, field)
        shown = WEEKDAYS[value] if field.endswith("_weekday") else value
        lines.append(f"• <code>{field}</code> ({names[field]}): <b>{shown}</b>")
    return "\n".join(lines)


USAGE = "/schedule [unit code] | /schedule set FIELD VALUE [unit code] | /schedule clear FIELD unit-code"


async def schedule_command(update: Update, context: BotContext) -> None:
    scope = current_scope()
    args = list(context.args or [])
    if not args or args[0] not in ("set", "clear"):
        unit = await get_unit_by_code(scope.session, args[0]) if args else None
        if args and unit is None:
            await reply(update, _("Unit not found: {code}").format(code=echo(args[0])))
            return
        loaded = await schedules.load_schedules(scope.session)
        heading = (
            _("<b>Schedule of {unit}</b>").format(unit=esc(unit.name))
            if unit
            else _("<b>Schedule of the whole office</b>")
        )
        await reply(
            update, f"{heading}\n{describe(loaded.for_unit(unit.id if unit else None))}\n\n{esc(USAGE)}"
        )
        return
    action, rest = args[0], args[1:]
    field = rest[0] if rest else ""
    value = rest[1] if action == "set" and len(rest) > 1 else None
    code = (
        rest[2]
        if action == "set" and len(rest) > 2
        else (rest[1] if action == "clear" and len(rest) > 1 else None)
    )
    target: Unit | None = await get_unit_by_code(scope.session, code) if code else None
    if code and target is None:
        await reply(update, _("Unit not found: {code}").format(code=echo(code)))
        return
    try:
        effective = await schedules.set_field(
            scope.session, unit=target, field=field, value=value, actor=scope.actor
        )
    except ScheduleError:
        await reply(
            update,
            _("This cannot be set: check the field name and the value (times as 07:45, weekdays 0-6).")
            + "\n"
            + esc(USAGE),
        )
        return
    await scope.commit()
    await reply(update, _("Saved; it applies from the next minute.") + "\n" + describe(effective))
