"""Choosing a plan update's units with buttons: the tree one level at a time, several units toggled ✅,
"›" to go into a unit's sub-units, "Done" to go on. Each chosen unit brings the units below it.

The buttons carry only unit ids: every press re-reads the unit and the sender's reach in the database
(office.unit_listing.browse), and the chosen set lives in the server-side draft, never in the button.
The screens are handlers.views.broadcast_units.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from telegram import Update
from telegram.error import BadRequest

from compliance.broadcasts import sending as broadcasts
from compliance.broadcasts.sending import Target, TargetKind
from compliance.office.officials import Actor
from compliance.office.unit_listing import UnitLevel, browse
from compliance.text import vietnamese_key
from handlers.messages import OutMessage
from handlers.scope import current_scope
from handlers.telegram.render import answer
from handlers.views import access
from handlers.views import broadcast_units as views
from handlers.views.broadcast_units import PREFIX
from storage.models import Unit


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


async def _picker(actor: Actor, view: UnitLevel, units: list[Unit], *, edit: bool = False) -> OutMessage:
    names, ids = [u.name for u in units], {u.id for u in units}
    if not units:
        return views.picker(view, names, ids, edit=edit)
    target = Target(TargetKind.UNITS, tuple(u.id for u in units))
    session = current_scope().session
    reached = await broadcasts.count_recipients(session, actor=actor, target=target)
    missing = await broadcasts.count_not_joined(session, actor=actor, target=target)
    return views.picker(view, names, ids, reached=reached, not_joined=missing, edit=edit)


async def show_picker(update: Update, draft: dict[str, Any]) -> None:
    """The first screen, as a new message: the sender's starting level."""
    actor = current_scope().actor
    assert actor is not None
    draft["units"] = []
    view = await browse(current_scope().session, actor=actor, unit_id=_start_of(actor))
    if view is None:  # a head whose unit is gone: nothing to choose from
        await answer(update, views.no_unit())
        return
    await answer(update, await _picker(actor, view, []))


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
            await query.answer(views.choose_one_first(), show_alert=True)
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
        await query.answer(access.stale_button(), show_alert=True)
        return None
    session = current_scope().session
    view = await browse(session, actor=actor, unit_id=level or None, page=max(page, 0))
    if view is None:
        await query.answer(views.outside_reach(), show_alert=True)
        return None
    if unit_id != -1:
        unit = await session.get(Unit, unit_id)
        if unit is None or not actor.may_manage(unit):
            await query.answer(views.outside_reach(), show_alert=True)
            return None
        chosen_ids = (
            [i for i in chosen_ids if i != unit_id] if unit_id in chosen_ids else [*chosen_ids, unit_id]
        )
    units = await _chosen_units(actor, chosen_ids)
    draft["units"] = [u.id for u in units]
    await query.answer()
    try:
        await answer(update, await _picker(actor, view, units, edit=True))
    except BadRequest as exc:
        if "not modified" not in exc.message:
            raise
    return None
