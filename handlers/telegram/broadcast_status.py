"""After a broadcast is confirmed: the "Received" button, the sender's progress message, /broadcasts with
each one's detail, reminders, stopping, and the recipients' Excel file (the replies are
handlers.views.broadcast_status)."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from telegram import Bot, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from compliance.broadcasts import followup as broadcast_followup
from compliance.broadcasts import sending as broadcasts
from compliance.broadcasts import status as broadcast_status
from compliance.broadcasts.files import recipients_excel
from compliance.broadcasts.followup import RemindOutcome
from compliance.broadcasts.sending import StopOutcome
from compliance.broadcasts.status import AckOutcome
from compliance.office.accounts import Address
from handlers.i18n import use_locale
from handlers.messages import OutMessage
from handlers.scope import current_scope
from handlers.telegram.context import BotContext, BotServices
from handlers.telegram.render import answer, edit, inline_keyboard
from handlers.views import access
from handlers.views import broadcast_status as views
from handlers.views.broadcast_status import progress_text
from handlers.views.broadcasts import acked
from storage.clock import local_today
from storage.engine import Database
from storage.models_broadcast import Broadcast

log = logging.getLogger(__name__)
REFRESH_SECONDS = 3


async def acknowledge(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    data = (query.data or "").split(":")
    message = query.message
    if len(data) != 2 or not data[1].isdigit() or message is None:
        await query.answer(access.stale_button(), show_alert=True)
        return
    broadcast_id = int(data[1])
    if getattr(message, "forward_origin", None) is not None:
        # A forwarded copy is somebody else's: confirming is done on one's own copy only.
        await query.answer(views.not_your_copy(), show_alert=True)
        return
    result = await broadcast_status.acknowledge(
        scope.session,
        actor=scope.actor,
        broadcast_id=broadcast_id,
        at=Address.telegram(message.chat.id),
        message_id=str(message.message_id),
    )
    if result.outcome is AckOutcome.NOT_RECIPIENT:
        await query.answer(views.not_your_copy(), show_alert=True)
        return
    assert result.acked_at is not None
    await scope.commit()
    if result.outcome is AckOutcome.ALREADY:
        await query.answer(views.already_confirmed(result.acked_at))
    else:
        await query.answer(views.thanks())
    # Telegram refuses an edit that changes nothing: then the button already shows it.
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(inline_keyboard(acked(broadcast_id, result.acked_at)))


async def list_broadcasts(update: Update, context: BotContext) -> None:
    scope = current_scope()
    assert scope.actor is not None
    lines = await broadcast_followup.recent(scope.session, actor=scope.actor)
    await answer(update, views.recent(lines))


def _parse(update: Update) -> tuple[str, int] | None:
    parts = ((update.callback_query and update.callback_query.data) or "").split(":")
    if len(parts) != 3 or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2])


async def manage(update: Update, context: BotContext) -> None:
    """bc:d (detail), bc:r (remind), bc:s (stop), bc:x (Excel): each re-checked against the database."""
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    parsed = _parse(update)
    if parsed is None:
        await query.answer(access.stale_button(), show_alert=True)
        return
    action, broadcast_id = parsed
    if action == "d":
        await _show_detail(update, broadcast_id)
    elif action == "r":
        result = await broadcast_followup.remind_now(
            scope.session, actor=scope.actor, broadcast_id=broadcast_id, today=local_today()
        )
        if result.outcome is RemindOutcome.NOT_ALLOWED:
            await query.answer(access.not_allowed(), show_alert=True)
            return
        scope.outbox_planned = result.outcome is RemindOutcome.PLANNED
        await scope.commit()
        await query.answer(views.reminded(result.outcome, result.planned), show_alert=True)
    elif action == "s":
        stopped = await broadcasts.stop(scope.session, actor=scope.actor, broadcast_id=broadcast_id)
        if stopped.outcome is StopOutcome.NOT_ALLOWED:
            await query.answer(access.not_allowed(), show_alert=True)
            return
        await scope.commit()
        await query.answer()
        await answer(update, views.stopped(stopped.outcome, broadcast_id, stopped.unsent))
    elif action == "x":
        await _send_excel(update, broadcast_id)
    else:
        await query.answer(access.stale_button(), show_alert=True)


async def _show_detail(update: Update, broadcast_id: int) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    detail = await broadcast_followup.detail(scope.session, actor=scope.actor, broadcast_id=broadcast_id)
    if detail is None:
        await query.answer(access.not_allowed(), show_alert=True)
        return
    await query.answer()
    await answer(update, views.detail(detail))


async def _send_excel(update: Update, broadcast_id: int) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None and update.effective_message is not None
    rows = await broadcast_followup.recipient_rows(
        scope.session, actor=scope.actor, broadcast_id=broadcast_id
    )
    if rows is None:
        await query.answer(access.not_allowed(), show_alert=True)
        return
    await query.answer()
    states = views.recipient_states()
    title, header = views.recipients_sheet()
    content = recipients_excel(
        rows, sheet_title=title, header=header, state_label=lambda state: states.get(state, state)
    )
    broadcast = await scope.session.get(Broadcast, broadcast_id)
    assert broadcast is not None  # recipient_rows found it
    await answer(update, views.recipients_document(content, broadcast_id, broadcast.send_at, len(rows)))


async def refresh_once(bot: Bot, database: Database, default_locale: str) -> int:
    """Move broadcasts along and edit the senders' progress messages whose figures changed."""
    async with database.unit_of_work() as session:
        views = await broadcast_status.advance(session)
    for view in views:
        with use_locale(view.locale or default_locale):
            text = progress_text(view)
        try:
            await edit(bot, view.chat_id, view.message_id, OutMessage(text))
        except TelegramError as exc:
            log.warning("could not edit the progress of broadcast %s: %s", view.broadcast_id, exc)
    return len(views)


async def refresh_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    services: BotServices = context.bot_data  # type: ignore[assignment]
    await refresh_once(context.bot, services.database, services.default_locale)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("broadcasts", list_broadcasts, filters=private),
        CallbackQueryHandler(acknowledge, pattern=r"^ack:"),
        CallbackQueryHandler(manage, pattern=r"^bc:[drsx]:"),
    ]
