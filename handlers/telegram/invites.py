"""/invite for heads and admins, and the approve/reject buttons on join requests."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from compliance.office import joining
from compliance.office.joining import DecisionOutcome
from compliance.office.qr import qr_png
from compliance.office.units import get_unit_by_code
from handlers.i18n import _, fmt_datetime, fmt_number
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram import pending
from handlers.telegram.context import BotContext, reply
from storage.models import Unit


async def invite(update: Update, context: BotContext) -> None:
    scope = current_scope()
    actor = scope.actor
    assert actor is not None
    args = list(context.args or [])
    unit: Unit | None
    if args and not args[0].isdigit():
        unit = await get_unit_by_code(scope.session, args.pop(0))
    else:
        unit = await scope.session.get(Unit, actor.unit_id) if actor.unit_id else None
    if unit is None:
        await reply(update, _("Unit not found. Usage: /invite [unit code] [days] [uses]"))
        return
    if not actor.may_manage(unit):
        await reply(update, _("You can only invite people to your own unit and the units below it."))
        return
    try:
        days = int(args[0]) if args else joining.DEFAULT_INVITE_DAYS
        uses = int(args[1]) if len(args) > 1 else joining.DEFAULT_INVITE_USES
        created = await joining.create_invite(
            scope.session, unit=unit, created_by=actor, days=days, max_uses=uses
        )
    except ValueError:
        await reply(update, _("Days must be between 1 and 90 and uses between 1 and 1000."))
        return
    await scope.commit()
    link = f"https://t.me/{context.bot.username}?start={created.code}"
    await reply(
        update,
        _("Invite link to <b>{unit}</b>:\n{link}\nValid until {until}, for {uses} people.").format(
            unit=esc(unit.name), link=esc(link), until=fmt_datetime(created.expires_at), uses=fmt_number(uses)
        ),
    )
    message = update.effective_message
    if message is not None:
        # The same link as a QR code, to print on a notice or show from one phone to another.
        await message.reply_photo(
            photo=qr_png(link),
            filename="invite-qr.png",
            caption=_("QR code of the invite link to <b>{unit}</b>, valid until {until}:\n{link}").format(
                unit=esc(unit.name[:200]), until=fmt_datetime(created.expires_at), link=esc(link)
            ),
            parse_mode=ParseMode.HTML,
        )


async def join_decision(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    parts = (query.data or "").split(":")
    if len(parts) != 3 or parts[1] not in ("a", "r") or not parts[2].isdigit():
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    result = await joining.decide(
        scope.session, request_id=int(parts[2]), decider=scope.actor, approve=parts[1] == "a"
    )
    name = esc(result.full_name or "")
    if result.outcome in (DecisionOutcome.NOT_FOUND, DecisionOutcome.NOT_ALLOWED):
        await query.answer(_("You are not allowed to do this."), show_alert=True)
        return
    if result.outcome is DecisionOutcome.ALREADY_DECIDED:
        await query.answer(_("This request has already been handled."), show_alert=True)
        if pending.is_pending_list(query.message):
            await pending.redraw(query, scope.actor)  # drop the stale line another head decided
        return
    scope.outbox_planned = True
    await scope.commit()
    await query.answer()
    text = (
        _("✅ {name} was approved and has joined.")
        if result.outcome is DecisionOutcome.APPROVED
        else _("✖ The request of {name} was rejected.")
    )
    if pending.is_pending_list(query.message):
        await pending.redraw(query, scope.actor, headline=text.format(name=name))
        return
    await query.edit_message_text(text.format(name=name), parse_mode=ParseMode.HTML)
