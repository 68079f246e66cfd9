"""/schedule for admins: see the office's schedule, change a time for the office or one unit (the
replies are handlers.views.schedule)."""

from __future__ import annotations

from telegram import Update

from compliance.office.units import get_unit_by_code
from compliance.practice import schedules
from compliance.practice.schedules import ScheduleError
from handlers.scope import current_scope
from handlers.telegram.context import BotContext
from handlers.telegram.render import answer
from handlers.views import schedule as views
from handlers.views.units import unit_not_found
from storage.models import Unit

SET_WORDS = ("set", "dat", "đặt")
CLEAR_WORDS = ("clear", "xoa", "xóa", "xoá")


async def schedule_command(update: Update, context: BotContext) -> None:
    scope = current_scope()
    args = list(context.args or [])
    action = args[0].lower() if args else ""
    if action not in SET_WORDS + CLEAR_WORDS:
        unit = await get_unit_by_code(scope.session, args[0]) if args else None
        if args and unit is None:
            await answer(update, unit_not_found(args[0]))
            return
        loaded = await schedules.load_schedules(scope.session)
        effective = loaded.for_unit(unit.id if unit else None)
        await answer(update, views.schedule_shown(unit.name if unit else None, effective))
        return
    setting, rest = action in SET_WORDS, args[1:]
    if len(rest) < (2 if setting else 1):
        await answer(update, views.schedule_usage())
        return
    field = rest[0]
    value = rest[1] if setting else None
    code = rest[2] if setting and len(rest) > 2 else (rest[1] if not setting and len(rest) > 1 else None)
    target: Unit | None = await get_unit_by_code(scope.session, code) if code else None
    if code and target is None:
        await answer(update, unit_not_found(code))
        return
    try:
        effective = await schedules.set_field(
            scope.session, unit=target, field=field, value=value, actor=scope.actor
        )
    except ScheduleError as error:
        await answer(update, views.schedule_refused(error, value))
        return
    await scope.commit()
    await answer(update, views.schedule_saved(effective))
