"""/invite for heads and admins, and the approve/reject buttons on join requests."""

from __future__ import annotations

from telegram import Update

from compliance.office import joining
from compliance.office.joining import DecisionOutcome
from compliance.office.qr import qr_png
from compliance.office.units import get_unit_by_code
from handlers.messages import OutMessage
from handlers.scope import current_scope
from handlers.telegram import pending, render
from handlers.telegram.context import BotContext
from handlers.views import access
from handlers.views import invites as views
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
        await render.answer(update, views.unit_not_found())
        return
    if not actor.may_manage(unit):
        await render.answer(update, views.not_your_unit())
        return
    try:
        days = int(args[0]) if args else joining.DEFAULT_INVITE_DAYS
        uses = int(args[1]) if len(args) > 1 else joining.DEFAULT_INVITE_USES
        created = await joining.create_invite(
            scope.session, unit=unit, created_by=actor, days=days, max_uses=uses
        )
    except ValueError:
        await render.answer(update, views.bad_limits())
        return
    await scope.commit()
    link = f"https://t.me/{context.bot.username}?start={created.code}"
    await render.answer(update, views.invite_link(unit.name, link, created.expires_at, uses))
    await render.answer(update, views.invite_qr(unit.name, link, created.expires_at, qr_png(link)))


async def join_decision(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    parts = (query.data or "").split(":")
    if len(parts) != 3 or parts[1] not in ("a", "r") or not parts[2].isdigit():
        await query.answer(access.stale_button(), show_alert=True)
        return
    result = await joining.decide(
        scope.session, request_id=int(parts[2]), decider=scope.actor, approve=parts[1] == "a"
    )
    if result.outcome in (DecisionOutcome.NOT_FOUND, DecisionOutcome.NOT_ALLOWED):
        await query.answer(access.not_allowed(), show_alert=True)
        return
    if result.outcome is DecisionOutcome.ALREADY_DECIDED:
        await query.answer(views.already_handled(), show_alert=True)
        if pending.is_pending_list(query.message):
            await pending.redraw(query, scope.actor)  # drop the stale line another head decided
        return
    scope.outbox_planned = True
    await scope.commit()
    await query.answer()
    text = views.decided(result.full_name, approved=result.outcome is DecisionOutcome.APPROVED)
    if pending.is_pending_list(query.message):
        await pending.redraw(query, scope.actor, headline=text)
        return
    await render.answer(update, OutMessage(text, edit=True))
