"""/units: the tree one level at a time with counts (admins all of it, heads their own subtree, read-only),
and the admins' commands that change it: /addunit, /renameunit, /moveunit, /sethead (the replies are
handlers.views.units)."""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest

from compliance.office import unit_admin, unit_listing
from compliance.office.unit_admin import UnitAdminError
from compliance.office.units import get_unit_by_code
from handlers.messages import OutMessage
from handlers.scope import current_scope
from handlers.telegram.context import BotContext
from handlers.telegram.render import answer
from handlers.views import access
from handlers.views import units as views

TOP = "-"  # in /addunit and /moveunit: no parent, a top-level unit


async def _level(unit_id: int | None, page: int, *, edit: bool = False) -> OutMessage | None:
    scope = current_scope()
    assert scope.actor is not None
    level = await unit_listing.browse(scope.session, actor=scope.actor, unit_id=unit_id, page=page)
    if level is None:
        return None
    office = await unit_listing.office_counts(scope.session) if level.unit is None else None
    return views.units_level(level, office, edit=edit)


async def units_command(update: Update, context: BotContext) -> None:
    """/units [CODE]: admins start at the office, heads at their own unit."""
    scope = current_scope()
    actor = scope.actor
    assert actor is not None
    args = list(context.args or [])
    unit_id: int | None = None
    if args:
        unit = await get_unit_by_code(scope.session, args[0])
        if unit is None:
            await answer(update, views.unit_not_found(args[0]))
            return
        unit_id = unit.id
    elif not actor.is_admin:
        unit_id = actor.unit_id
        if unit_id is None:
            await answer(update, views.no_unit())
            return
    shown = await _level(unit_id, 0)
    if shown is None:
        await answer(update, views.outside_own_units())
        return
    await answer(update, shown)


async def units_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    parts = (query.data or "").split(":")
    valid = (len(parts) == 4 and parts[1] == "u" and parts[2].isdigit() and parts[3].isdigit()) or (
        len(parts) == 3 and parts[1] == "o" and parts[2].isdigit()
    )
    if not valid:
        await query.answer(access.stale_button(), show_alert=True)
        return
    unit_id = int(parts[2]) if parts[1] == "u" else None
    shown = await _level(unit_id, int(parts[-1]), edit=True)
    if shown is None:
        await query.answer(access.not_allowed(), show_alert=True)
        return
    await query.answer()
    try:
        await answer(update, shown)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


def _arguments(update: Update, count: int) -> list[str]:
    """The words after the command, the last one taking the rest of the line (a name has spaces)."""
    text = (update.effective_message.text if update.effective_message else None) or ""
    return text.split(maxsplit=count)[1:]


def _parent(code: str) -> str | None:
    return None if code == TOP else code


async def _apply(update: Update, done: OutMessage) -> None:
    await current_scope().commit()
    await answer(update, done)


async def add_unit_command(update: Update, context: BotContext) -> None:
    scope = current_scope()
    args = _arguments(update, 3)
    if len(args) < 3:
        await answer(update, views.add_usage())
        return
    try:
        unit = await unit_admin.add_unit(
            scope.session, actor=scope.actor, parent_code=_parent(args[0]), code=args[1], name=args[2]
        )
    except UnitAdminError as error:
        await answer(update, views.refusal(error))
        return
    await _apply(update, views.added(unit.name, unit.code, unit.parent_name))


async def rename_unit_command(update: Update, context: BotContext) -> None:
    scope = current_scope()
    args = _arguments(update, 2)
    if len(args) < 2:
        await answer(update, views.rename_usage())
        return
    try:
        unit = await unit_admin.rename_unit(scope.session, actor=scope.actor, code=args[0], name=args[1])
    except UnitAdminError as error:
        await answer(update, views.refusal(error))
        return
    await _apply(update, views.renamed(unit.code, unit.name))


async def move_unit_command(update: Update, context: BotContext) -> None:
    scope = current_scope()
    args = _arguments(update, 2)
    if len(args) != 2 or " " in args[1].strip():
        await answer(update, views.move_usage())
        return
    try:
        unit = await unit_admin.move_unit(
            scope.session, actor=scope.actor, code=args[0], new_parent_code=_parent(args[1].strip())
        )
    except UnitAdminError as error:
        await answer(update, views.refusal(error))
        return
    await _apply(update, views.moved(unit.name, unit.parent_name))


async def set_head_command(update: Update, context: BotContext) -> None:
    scope = current_scope()
    args = _arguments(update, 2)
    if len(args) != 2:
        await answer(update, views.set_head_usage())
        return
    try:
        change = await unit_admin.set_head(scope.session, actor=scope.actor, code=args[0], phone=args[1])
    except UnitAdminError as error:
        await answer(update, views.refusal(error))
        return
    await _apply(
        update, views.head_set(change.official_name, change.unit.name, change.moved_from, change.demoted)
    )
