"""/units: the tree one level at a time with counts (admins all of it, heads their own subtree, read-only),
and the admins' commands that change it: /addunit, /renameunit, /moveunit, /sethead."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from compliance.office import unit_admin, unit_listing
from compliance.office.unit_admin import Refusal, UnitAdminError
from compliance.office.unit_listing import UnitLevel, UnitLine
from compliance.office.units import get_unit_by_code
from handlers.i18n import _, fmt_number
from handlers.messages import echo, esc
from handlers.scope import current_scope
from handlers.telegram.context import BotContext, reply

TOP = "-"  # in /addunit and /moveunit: no parent, a top-level unit


def _counts(line: UnitLine) -> str:
    return _("{officials} officials ({joined} joined), {units} sub-units").format(
        officials=fmt_number(line.officials), joined=fmt_number(line.joined), units=fmt_number(line.sub_units)
    )


def render_level(level: UnitLevel, office: UnitLine | None = None) -> tuple[str, InlineKeyboardMarkup]:
    """The message and its buttons for one screen of /units."""
    if level.unit is not None:
        head = _("<b>{name}</b> (<code>{code}</code>)").format(
            name=esc(level.unit.name), code=esc(level.unit.code)
        )
        lines = [head, _counts(level.unit)]
    else:
        lines = [_("<b>The whole office</b>")]
        if office is not None:
            lines.append(
                _("{officials} officials ({joined} joined), {units} top-level units").format(
                    officials=fmt_number(office.officials),
                    joined=fmt_number(office.joined),
                    units=fmt_number(office.sub_units),
                )
            )
    if level.children:
        lines.append("")
        if level.pages > 1:
            lines.append(_("Page {page} of {pages}").format(page=level.page + 1, pages=level.pages))
        lines.extend(f"• {esc(c.name)} (<code>{esc(c.code)}</code>): {_counts(c)}" for c in level.children)
    elif level.unit is not None:
        lines.append(_("No units below this one."))
    else:
        lines.append(_("There are no units yet: import the staff list or use /addunit."))
    if not level.read_only:
        lines.append("")
        lines.append(_("Change: /addunit, /renameunit, /moveunit, /sethead (send one alone for its usage)"))
    keyboard: list[list[InlineKeyboardButton]] = [
        [
            InlineKeyboardButton(
                f"{c.name} · {fmt_number(c.officials)}" + (" ▸" if c.sub_units else ""),
                callback_data=f"un:u:{c.id}:0",
            )
        ]
        for c in level.children
    ]
    here = f"u:{level.unit.id}" if level.unit is not None else "o"
    pager = []
    if level.page > 0:
        pager.append(InlineKeyboardButton("◀", callback_data=f"un:{here}:{level.page - 1}"))
    if level.page + 1 < level.pages:
        pager.append(InlineKeyboardButton("▶", callback_data=f"un:{here}:{level.page + 1}"))
    if pager:
        keyboard.append(pager)
    if level.up is not None:
        kind, parent_id = level.up
        target = f"un:u:{parent_id}:0" if kind == "unit" else "un:o:0"
        keyboard.append([InlineKeyboardButton(_("⬆ Up"), callback_data=target)])
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


async def _level(unit_id: int | None, page: int) -> tuple[str, InlineKeyboardMarkup] | None:
    scope = current_scope()
    assert scope.actor is not None
    level = await unit_listing.browse(scope.session, actor=scope.actor, unit_id=unit_id, page=page)
    if level is None:
        return None
    office = await unit_listing.office_counts(scope.session) if level.unit is None else None
    return render_level(level, office)


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
            await reply(update, _("Unit not found: {code}").format(code=echo(args[0])))
            return
        unit_id = unit.id
    elif not actor.is_admin:
        unit_id = actor.unit_id
        if unit_id is None:
            await reply(update, _("You do not belong to a unit, so there is nothing to show."))
            return
    shown = await _level(unit_id, 0)
    if shown is None:
        await reply(update, _("You can only see your own unit and the units below it."))
        return
    text, markup = shown
    await reply(update, text, reply_markup=markup)


async def units_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    parts = (query.data or "").split(":")
    valid = (len(parts) == 4 and parts[1] == "u" and parts[2].isdigit() and parts[3].isdigit()) or (
        len(parts) == 3 and parts[1] == "o" and parts[2].isdigit()
    )
    if not valid:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    unit_id = int(parts[2]) if parts[1] == "u" else None
    shown = await _level(unit_id, int(parts[-1]))
    if shown is None:
        await query.answer(_("You are not allowed to do this."), show_alert=True)
        return
    await query.answer()
    text, markup = shown
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


def refusal_text(error: UnitAdminError) -> str:
    detail = esc(error.detail)
    texts = {
        Refusal.NOT_ALLOWED: _("Only administrators can change units."),
        Refusal.UNIT_NOT_FOUND: _("Unit not found: {detail}"),
        Refusal.PARENT_NOT_FOUND: _("Parent unit not found: {detail}"),
        Refusal.BAD_CODE: _(
            "“{detail}” cannot be a unit code: use 1 to 40 Latin letters, digits, - or _ "
            "(for example phong-tu-phap)."
        ),
        Refusal.CODE_TAKEN: _("The code {detail} is already used by another unit."),
        Refusal.BAD_NAME: _("The name must have 1 to 200 characters and no “/”."),
        Refusal.NAME_TAKEN: _("There is already a unit named “{detail}” at that place in the tree."),
        Refusal.TOO_DEEP: _("Units can be at most {detail} levels deep."),
        Refusal.UNDER_ITSELF: _("A unit cannot be moved below itself or one of its own sub-units."),
        Refusal.UNCHANGED: _("That is already so; nothing changed."),
        Refusal.BAD_PHONE: _("“{detail}” is not a phone number."),
        Refusal.OFFICIAL_NOT_FOUND: _("No official on the staff list has the phone number {detail}."),
    }
    return texts[error.reason].format(detail=detail)


def _arguments(update: Update, count: int) -> list[str]:
    """The words after the command, the last one taking the rest of the line (a name has spaces)."""
    text = (update.effective_message.text if update.effective_message else None) or ""
    return text.split(maxsplit=count)[1:]


def _parent(code: str) -> str | None:
    return None if code == TOP else code


async def _apply(update: Update, done: str) -> None:
    await current_scope().commit()
    await reply(update, done)


async def add_unit_command(update: Update, context: BotContext) -> None:
    scope = current_scope()
    args = _arguments(update, 3)
    if len(args) < 3:
        await reply(
            update,
            _(
                "Usage: /addunit PARENT_CODE CODE Name\n"
                "PARENT_CODE is the code of the unit above it, or - for a top-level unit.\n"
                "Example: /addunit so-gtvt phong-phap-che Phòng Pháp chế"
            ),
        )
        return
    try:
        unit = await unit_admin.add_unit(
            scope.session, actor=scope.actor, parent_code=_parent(args[0]), code=args[1], name=args[2]
        )
    except UnitAdminError as error:
        await reply(update, refusal_text(error))
        return
    text = (
        _("Unit added: <b>{name}</b> (<code>{code}</code>) under <b>{parent}</b>.")
        if unit.parent_name
        else _("Unit added: <b>{name}</b> (<code>{code}</code>), a top-level unit.")
    )
    await _apply(update, text.format(name=esc(unit.name), code=esc(unit.code), parent=esc(unit.parent_name)))


async def rename_unit_command(update: Update, context: BotContext) -> None:
    scope = current_scope()
    args = _arguments(update, 2)
    if len(args) < 2:
        await reply(
            update, _("Usage: /renameunit CODE New name\nExample: /renameunit van-phong Văn phòng Sở")
        )
        return
    try:
        unit = await unit_admin.rename_unit(scope.session, actor=scope.actor, code=args[0], name=args[1])
    except UnitAdminError as error:
        await reply(update, refusal_text(error))
        return
    await _apply(
        update,
        _("Renamed: <code>{code}</code> is now <b>{name}</b>.").format(
            code=esc(unit.code), name=esc(unit.name)
        ),
    )


async def move_unit_command(update: Update, context: BotContext) -> None:
    scope = current_scope()
    args = _arguments(update, 2)
    if len(args) != 2 or " " in args[1].strip():
        await reply(
            update,
            _(
                "Usage: /moveunit CODE NEW_PARENT_CODE\n"
                "Use - as the new parent to make it a top-level unit. Its sub-units move with it."
            ),
        )
        return
    try:
        unit = await unit_admin.move_unit(
            scope.session, actor=scope.actor, code=args[0], new_parent_code=_parent(args[1].strip())
        )
    except UnitAdminError as error:
        await reply(update, refusal_text(error))
        return
    text = (
        _("Moved: <b>{name}</b> is now under <b>{parent}</b>, with its sub-units.")
        if unit.parent_name
        else _("Moved: <b>{name}</b> is now a top-level unit, with its sub-units.")
    )
    await _apply(update, text.format(name=esc(unit.name), parent=esc(unit.parent_name)))


async def set_head_command(update: Update, context: BotContext) -> None:
    scope = current_scope()
    args = _arguments(update, 2)
    if len(args) != 2:
        await reply(
            update,
            _(
                "Usage: /sethead CODE PHONE\n"
                "The person becomes the unit's head (and is moved into the unit if needed); "
                "the unit's previous head becomes an official."
            ),
        )
        return
    try:
        change = await unit_admin.set_head(scope.session, actor=scope.actor, code=args[0], phone=args[1])
    except UnitAdminError as error:
        await reply(update, refusal_text(error))
        return
    lines = [
        _("<b>{name}</b> is now the head of <b>{unit}</b>.").format(
            name=esc(change.official_name), unit=esc(change.unit.name)
        )
    ]
    if change.moved_from:
        lines.append(_("Moved from {unit}.").format(unit=esc(change.moved_from)))
    if change.demoted:
        lines.append(_("No longer head: {names}.").format(names=", ".join(esc(n) for n in change.demoted)))
    await _apply(update, "\n".join(lines))
