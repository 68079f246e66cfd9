"""Choosing a plan update's units with buttons: the tree one level at a time, several units toggled ✅,
"›" to go into a unit's sub-units, "Done" to go on. Each chosen unit brings the units below it.

The buttons carry only unit ids: every press re-reads the unit and the sender's reach in the database
(office.unit_listing.browse), and the chosen set lives in the server-side draft, never in the button.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from compliance.broadcasts import sending as broadcasts
from compliance.broadcasts.sending import Target, TargetKind
from compliance.office.officials import Actor
from compliance.office.unit_listing import UnitLevel, UnitLine, browse
from compliance.text import vietnamese_key
from handlers.i18n import _, fmt_number
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram.context import reply
from storage.models import Unit

PREFIX = "bc:u:"
MAX_LABEL = 40


def _label(name: str) -> str:
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"


def _start_of(actor: Actor) -> int | None:
    """Where the picker opens: the office for admins, a head's own unit."""
    return None if actor.is_admin else actor.unit_id


async def _chosen_units(actor: Actor, ids: list[int]) -> list[Unit]:
    """The chosen units still within the sender's reach, read again from the database."""
    if not ids:
        return []
    session = current_scope().session
    units = (await session.scalars(select(Unit).where(Unit.id.in_(ids)))).all()
    return sorted((u for u in units if actor.may_manage(u)), key=lambda u: vietnamese_key(u.name))


def _toggle(
    line: UnitLine, chosen: set[int], level: int, page: int, *, whole: bool = False
) -> InlineKeyboardButton:
    mark = "✅" if line.id in chosen else "☐"
    name = _("{unit} (whole unit)").format(unit=_label(line.name)) if whole else _label(line.name)
    return InlineKeyboardButton(f"{mark} {name}", callback_data=f"{PREFIX}t:{line.id}:{level}:{page}")


def _markup(view: UnitLevel, chosen: set[int]) -> InlineKeyboardMarkup:
    level = view.unit.id if view.unit is not None else 0
    rows: list[list[InlineKeyboardButton]] = []
    if view.unit is not None:
        rows.append([_toggle(view.unit, chosen, level, view.page, whole=True)])
    for child in view.children:
        row = [_toggle(child, chosen, level, view.page)]
        if child.sub_units:
            row.append(InlineKeyboardButton("›", callback_data=f"{PREFIX}o:{child.id}:0"))
        rows.append(row)
    nav: list[InlineKeyboardButton] = []
    if view.up is not None:
        up = view.up[1] if view.up[1] is not None else 0
        nav.append(InlineKeyboardButton(_("⬆ Up"), callback_data=f"{PREFIX}o:{up}:0"))
    if view.page > 0:
        nav.append(InlineKeyboardButton("◀", callback_data=f"{PREFIX}o:{level}:{view.page - 1}"))
    if view.page + 1 < view.pages:
        nav.append(InlineKeyboardButton("▶", callback_data=f"{PREFIX}o:{level}:{view.page + 1}"))
    if nav:
        rows.append(nav)
    rows.append(
        [InlineKeyboardButton(_("Done ({n} chosen)").format(n=len(chosen)), callback_data=f"{PREFIX}ok")]
    )
    return InlineKeyboardMarkup(rows)


async def _text(actor: Actor, view: UnitLevel, units: list[Unit]) -> str:
    lines = [
        _("<b>Choose the units</b> that receive it (each with the units below it): press a unit to tick it.")
    ]
    if view.unit is not None:
        lines.append(
            _("Now in: <b>{unit}</b>, {officials} on the staff list, {joined} joined.").format(
                unit=esc(view.unit.name),
                officials=fmt_number(view.unit.officials),
                joined=fmt_number(view.unit.joined),
            )
        )
    if not units:
        lines.append(_("Nothing chosen yet."))
        return "\n".join(lines)
    lines.append(_("Chosen: {units}.").format(units=esc(", ".join(u.name for u in units))))
    target = Target(TargetKind.UNITS, tuple(u.id for u in units))
    session = current_scope().session
    reached = await broadcasts.count_recipients(session, actor=actor, target=target)
    missing = await broadcasts.count_not_joined(session, actor=actor, target=target)
    lines.append(_("Recipients: {n}.").format(n=fmt_number(reached)))
    if missing:
        lines.append(
            _(
                "{n} of the officials of these units have not joined the bot: they will not receive it."
            ).format(n=fmt_number(missing))
        )
    return "\n".join(lines)


async def show_picker(update: Update, draft: dict[str, Any]) -> None:
    """The first screen, as a new message: the sender's starting level."""
    actor = current_scope().actor
    assert actor is not None
    draft["units"] = []
    view = await browse(current_scope().session, actor=actor, unit_id=_start_of(actor))
    if view is None:  # a head whose unit is gone: nothing to choose from
        await reply(update, _("There is no unit you may send to."))
        return
    await reply(update, await _text(actor, view, []), reply_markup=_markup(view, set()))


async def picker_pressed(update: Update, draft: dict[str, Any]) -> list[int] | None:
    """A press on the picker: redraws it, or returns the chosen unit ids on "Done"."""
    query = update.callback_query
    actor = current_scope().actor
    assert query is not None and actor is not None
    parts = (query.data or "").removeprefix(PREFIX).split(":")
    chosen_ids = [int(i) for i in draft.get("units", [])]
    if parts == ["ok"]:
        units = await _chosen_units(actor, chosen_ids)
        if not units:
            await query.answer(_("Choose at least one unit first."), show_alert=True)
            return None
        await query.answer()
        await query.edit_message_reply_markup(None)
        return [u.id for u in units]
    numbers = [int(p) if p.isdigit() else -1 for p in parts[1:]]
    if parts[0] == "t" and len(numbers) == 3:
        unit_id, level, page = numbers
    elif parts[0] == "o" and len(numbers) == 2:
        unit_id, (level, page) = -1, numbers
    else:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return None
    session = current_scope().session
    view = await browse(session, actor=actor, unit_id=level or None, page=max(page, 0))
    if view is None:
        await query.answer(_("You can only send to your own unit and the units below it."), show_alert=True)
        return None
    if unit_id != -1:
        unit = await session.get(Unit, unit_id)
        if unit is None or not actor.may_manage(unit):
            await query.answer(
                _("You can only send to your own unit and the units below it."), show_alert=True
            )
            return None
        chosen_ids = (
            [i for i in chosen_ids if i != unit_id] if unit_id in chosen_ids else [*chosen_ids, unit_id]
        )
    units = await _chosen_units(actor, chosen_ids)
    draft["units"] = [u.id for u in units]
    await query.answer()
    try:
        await query.edit_message_text(
            await _text(actor, view, units),
            parse_mode=ParseMode.HTML,
            reply_markup=_markup(view, set(draft["units"])),
        )
    except BadRequest as exc:
        if "not modified" not in exc.message:
            raise
    return None
