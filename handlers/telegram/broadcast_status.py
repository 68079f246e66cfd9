"""After a broadcast is confirmed: the "Received" button, the sender's progress message, /broadcasts with
each one's detail, reminders, stopping, and the recipients' Excel file."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from compliance.broadcasts import followup as broadcast_followup
from compliance.broadcasts import sending as broadcasts
from compliance.broadcasts import status as broadcast_status
from compliance.broadcasts.files import recipients_excel
from compliance.broadcasts.followup import RemindOutcome
from compliance.broadcasts.sending import StopOutcome
from compliance.broadcasts.status import AckOutcome, Progress
from compliance.office.accounts import Address
from handlers.i18n import _, fmt_datetime, fmt_number, use_locale
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram.context import BotContext, BotServices, reply
from handlers.telegram.render import inline_keyboard
from handlers.views.broadcasts import acked
from storage.clock import local_today
from storage.engine import Database
from storage.models_broadcast import Broadcast

log = logging.getLogger(__name__)
REFRESH_SECONDS = 3
EXCERPT = 60


async def acknowledge(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    data = (query.data or "").split(":")
    message = query.message
    if len(data) != 2 or not data[1].isdigit() or message is None:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    broadcast_id = int(data[1])
    if getattr(message, "forward_origin", None) is not None:
        # A forwarded copy is somebody else's: confirming is done on one's own copy only.
        await query.answer(_("This copy was not sent to you: nothing was recorded."), show_alert=True)
        return
    result = await broadcast_status.acknowledge(
        scope.session,
        actor=scope.actor,
        broadcast_id=broadcast_id,
        at=Address.telegram(message.chat.id),
        message_id=str(message.message_id),
    )
    if result.outcome is AckOutcome.NOT_RECIPIENT:
        await query.answer(_("This copy was not sent to you: nothing was recorded."), show_alert=True)
        return
    assert result.acked_at is not None
    await scope.commit()
    if result.outcome is AckOutcome.ALREADY:
        await query.answer(_("Already confirmed on {time}.").format(time=fmt_datetime(result.acked_at)))
    else:
        await query.answer(_("Thank you, recorded."))
    # Telegram refuses an edit that changes nothing: then the button already shows it.
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(inline_keyboard(acked(broadcast_id, result.acked_at)))


def _status_name(status: str) -> str:
    names = {
        "scheduled": _("scheduled"),
        "sending": _("sending"),
        "done": _("delivered"),
        "stopped": _("stopped"),
        "cancelled": _("cancelled"),
    }
    return names.get(status, status)


def _figures_line(progress: Progress, requires_ack: bool) -> str:
    line = _("delivered {sent}/{total}, failed {failed}").format(
        sent=fmt_number(progress.sent), total=fmt_number(progress.total), failed=fmt_number(progress.failed)
    )
    if progress.cancelled:
        line += _(", not sent (stopped) {n}").format(n=fmt_number(progress.cancelled))
    if requires_ack:
        line += _(", confirmed {n}").format(n=fmt_number(progress.acknowledged))
    return line


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


async def list_broadcasts(update: Update, context: BotContext) -> None:
    scope = current_scope()
    assert scope.actor is not None
    lines = await broadcast_followup.recent(scope.session, actor=scope.actor)
    if not lines:
        await reply(update, _("No plan updates yet. /broadcast composes one."))
        return
    text = [_("<b>Recent plan updates</b>")]
    rows = []
    for line in lines:
        text.append(
            _("<b>No. {id}</b> ({when}, {status}): {excerpt}\n{figures}").format(
                id=line.id,
                when=fmt_datetime(line.send_at),
                status=_status_name(line.status),
                excerpt=esc(_excerpt(line.text)),
                figures=_figures_line(line.progress, line.requires_ack),
            )
        )
        rows.append(
            [InlineKeyboardButton(_("No. {id}: details").format(id=line.id), callback_data=f"bc:d:{line.id}")]
        )
    await reply(update, "\n\n".join(text), reply_markup=InlineKeyboardMarkup(rows))


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
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    action, broadcast_id = parsed
    if action == "d":
        await _show_detail(update, broadcast_id)
    elif action == "r":
        result = await broadcast_followup.remind_now(
            scope.session, actor=scope.actor, broadcast_id=broadcast_id, today=local_today()
        )
        if result.outcome is RemindOutcome.NOT_ALLOWED:
            await query.answer(_("You are not allowed to do this."), show_alert=True)
            return
        scope.outbox_planned = result.outcome is RemindOutcome.PLANNED
        await scope.commit()
        messages = {
            RemindOutcome.PLANNED: _("Reminder sent to {n} people."),
            RemindOutcome.NOTHING_TO_DO: _("Nobody to remind: all confirmed, or they were reminded today."),
            RemindOutcome.NO_ACK: _("This plan update asks for no confirmation."),
        }
        await query.answer(messages[result.outcome].format(n=fmt_number(result.planned)), show_alert=True)
    elif action == "s":
        stopped = await broadcasts.stop(scope.session, actor=scope.actor, broadcast_id=broadcast_id)
        if stopped.outcome is StopOutcome.NOT_ALLOWED:
            await query.answer(_("You are not allowed to do this."), show_alert=True)
            return
        await scope.commit()
        await query.answer()
        texts = {
            StopOutcome.STOPPED: _("Plan update no. {id} stopped: {n} messages were left unsent."),
            StopOutcome.CANCELLED: _("Plan update no. {id} cancelled before it started: nothing was sent."),
            StopOutcome.ALREADY_OVER: _("Plan update no. {id} has already finished."),
        }
        await reply(update, texts[stopped.outcome].format(id=broadcast_id, n=fmt_number(stopped.unsent)))
    elif action == "x":
        await _send_excel(update, broadcast_id)
    else:
        await query.answer(_("This button is no longer valid."), show_alert=True)


async def _show_detail(update: Update, broadcast_id: int) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    detail = await broadcast_followup.detail(scope.session, actor=scope.actor, broadcast_id=broadcast_id)
    if detail is None:
        await query.answer(_("You are not allowed to do this."), show_alert=True)
        return
    await query.answer()
    line = detail.line
    text = [
        _("<b>Plan update no. {id}</b> ({status}), sent {when}:").format(
            id=line.id, status=_status_name(line.status), when=fmt_datetime(line.send_at)
        ),
        esc(_excerpt(line.text)),
        _figures_line(line.progress, line.requires_ack),
    ]
    if line.requires_ack:
        text.append(_("<b>Not confirmed yet: {n}</b>").format(n=fmt_number(detail.not_acknowledged)))
        for group in detail.pending_by_unit:
            names = ", ".join(esc(n) for n in group.names)
            more = group.count - len(group.names)
            suffix = _(" and {n} more").format(n=fmt_number(more)) if more else ""
            text.append(f"• <b>{esc(group.unit_name)}</b> ({fmt_number(group.count)}): {names}{suffix}")
    buttons = [[InlineKeyboardButton(_("Excel of recipients"), callback_data=f"bc:x:{line.id}")]]
    if line.requires_ack and detail.not_acknowledged:
        buttons.append(
            [InlineKeyboardButton(_("Remind those not confirmed"), callback_data=f"bc:r:{line.id}")]
        )
    if line.status in ("scheduled", "sending"):
        label = _("Cancel it") if line.status == "scheduled" else _("Stop sending")
        buttons.append([InlineKeyboardButton(label, callback_data=f"bc:s:{line.id}")])
    await reply(update, "\n".join(text), reply_markup=InlineKeyboardMarkup(buttons))


async def _send_excel(update: Update, broadcast_id: int) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None and update.effective_message is not None
    rows = await broadcast_followup.recipient_rows(
        scope.session, actor=scope.actor, broadcast_id=broadcast_id
    )
    if rows is None:
        await query.answer(_("You are not allowed to do this."), show_alert=True)
        return
    await query.answer()
    states = {
        "sent": _("delivered"),
        "failed": _("failed"),
        "pending": _("waiting"),
        "sending": _("sending"),
        "cancelled": _("not sent (stopped)"),
        "unreachable": _("blocked the bot"),
    }
    content = recipients_excel(
        rows,
        sheet_title=_("Recipients"),
        header=[_("Name"), _("Unit"), _("Delivery"), _("Sent at"), _("Confirmed at")],
        state_label=lambda state: states.get(state, state),
    )
    broadcast = await scope.session.get(Broadcast, broadcast_id)
    assert broadcast is not None  # recipient_rows found it
    await update.effective_message.reply_document(
        InputFile(content, filename=f"thong-bao-{broadcast_id}-nguoi-nhan.xlsx"),
        caption=_(
            "Recipients of plan update no. {id} of {date}: {n} people, with delivery and confirmation (Excel)"
        ).format(id=broadcast_id, date=fmt_datetime(broadcast.send_at), n=fmt_number(len(rows))),
    )


def _progress_text(view: broadcast_status.ProgressView) -> str:
    progress = view.progress
    if view.status == "scheduled":
        return _("Plan update no. {id} is scheduled: {n} recipients.").format(
            id=view.broadcast_id, n=fmt_number(progress.total)
        )
    head = (
        _("Plan update no. {id}: sending…")
        if view.status == "sending"
        else _("Plan update no. {id}: finished ({status}).").format(
            id=view.broadcast_id, status=_status_name(view.status)
        )
    )
    body = _("Sent {sent} / {total}, failed {failed}.").format(
        sent=fmt_number(progress.sent), total=fmt_number(progress.total), failed=fmt_number(progress.failed)
    )
    if progress.cancelled:
        body += " " + _("Left unsent: {n}.").format(n=fmt_number(progress.cancelled))
    return head.format(id=view.broadcast_id) + "\n" + body + "\n" + _("Details: /broadcasts")


async def refresh_once(bot: Bot, database: Database, default_locale: str) -> int:
    """Move broadcasts along and edit the senders' progress messages whose figures changed."""
    async with database.unit_of_work() as session:
        views = await broadcast_status.advance(session)
    for view in views:
        with use_locale(view.locale or default_locale):
            text = _progress_text(view)
        try:
            await bot.edit_message_text(
                text, chat_id=view.chat_id, message_id=view.message_id, parse_mode=ParseMode.HTML
            )
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
