"""/broadcast: composing a plan update step by step, previewing it exactly as recipients will see it, and
confirming. Nothing is sent before the confirmation; the draft is kept in the conversation's storage (the
database), so a restart in the middle loses nothing. The replies are handlers.views.broadcast."""

from __future__ import annotations

import warnings
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from compliance.broadcasts import sending as broadcasts
from compliance.broadcasts import status as broadcast_status
from compliance.broadcasts.sending import Draft, Target, TargetKind
from handlers.messages import OutMessage
from handlers.scope import current_scope
from handlers.telegram.broadcast_units import picker_pressed, show_picker
from handlers.telegram.context import BotContext
from handlers.telegram.render import answer, send
from handlers.views import broadcast as views
from handlers.views.broadcasts import broadcast_copy
from storage.clock import utcnow

TEXT, ATTACH, TARGET, UNITS, WHEN, ACK, CONFIRM = range(7)
END = ConversationHandler.END
DRAFT = "broadcast"


def _draft(context: BotContext) -> dict[str, Any]:
    assert context.user_data is not None
    draft: dict[str, Any] = context.user_data.setdefault(DRAFT, {})
    return draft


def _forget(context: BotContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)


async def start(update: Update, context: BotContext) -> int:
    actor = current_scope().actor
    assert actor is not None
    if not broadcasts.may_broadcast(actor):
        await answer(update, views.not_allowed())
        return END
    _forget(context)
    _draft(context)
    await answer(
        update,
        views.ask_text(
            broadcasts.text_limit(with_attachment=False), broadcasts.text_limit(with_attachment=True)
        ),
    )
    return TEXT


async def text_received(update: Update, context: BotContext) -> int:
    assert update.message is not None
    text = broadcasts.clean_broadcast_text(update.message.text or "")
    if not text:
        await answer(update, views.empty_text())
        return TEXT
    length, limit = broadcasts.utf16_length(text), broadcasts.text_limit(with_attachment=False)
    if length > limit:
        await answer(update, views.text_too_long(length, limit))
        return TEXT
    _draft(context)["text"] = text
    await answer(update, views.ask_attachment())
    return ATTACH


async def attachment_received(update: Update, context: BotContext) -> int:
    message = update.message
    assert message is not None
    draft = _draft(context)
    length, limit = (
        broadcasts.utf16_length(draft.get("text", "")),
        broadcasts.text_limit(with_attachment=True),
    )
    if length > limit:
        await answer(update, views.caption_too_long(length, limit))
        return ATTACH
    if message.document is not None:
        draft["attachment"] = {
            "kind": "document",
            "file_id": message.document.file_id,
            "name": message.document.file_name or "document",
        }
    elif message.photo:
        draft["attachment"] = {"kind": "photo", "file_id": message.photo[-1].file_id, "name": "photo"}
    else:
        await answer(update, views.not_a_file())
        return ATTACH
    return await _ask_target(update)


async def no_attachment(update: Update, context: BotContext) -> int:
    assert update.callback_query is not None
    await update.callback_query.answer()
    _draft(context).pop("attachment", None)
    return await _ask_target(update)


async def _ask_target(update: Update) -> int:
    actor = current_scope().actor
    assert actor is not None
    await answer(update, views.ask_target(admin=actor.is_admin))
    return TARGET


async def target_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None
    await query.answer()
    kind = TargetKind((query.data or "").rsplit(":", 1)[1])
    if kind is TargetKind.UNITS:
        await show_picker(update, _draft(context))
        return UNITS
    _draft(context)["target"] = Target(kind).as_json()
    return await _ask_when(update)


async def units_pressed(update: Update, context: BotContext) -> int:
    chosen = await picker_pressed(update, _draft(context))
    if chosen is None:
        return UNITS
    _draft(context)["target"] = Target(TargetKind.UNITS, tuple(chosen)).as_json()
    return await _ask_when(update)


async def units_typed(update: Update, context: BotContext) -> int:
    """Unit codes typed instead of pressed (an admin who knows them): checked the same way."""
    scope = current_scope()
    assert update.message is not None and scope.actor is not None
    codes = (update.message.text or "").replace(",", " ").split()
    choice = await broadcasts.resolve_units(scope.session, actor=scope.actor, codes=codes)
    if choice.unknown or choice.outside or not choice.units:
        await answer(update, views.units_refused(list(choice.unknown), list(choice.outside)))
        return UNITS
    _draft(context)["target"] = Target(TargetKind.UNITS, tuple(u.id for u in choice.units)).as_json()
    return await _ask_when(update)


async def _ask_when(update: Update) -> int:
    await answer(update, views.ask_when())
    return WHEN


async def send_now(update: Update, context: BotContext) -> int:
    assert update.callback_query is not None
    await update.callback_query.answer()
    _draft(context)["send_at"] = None
    return await _ask_ack(update)


async def time_typed(update: Update, context: BotContext) -> int:
    assert update.message is not None
    moment = broadcasts.parse_send_time(update.message.text or "", now=utcnow())
    if moment is None:
        await answer(update, views.not_a_time())
        return WHEN
    _draft(context)["send_at"] = moment.isoformat()
    return await _ask_ack(update)


async def _ask_ack(update: Update) -> int:
    await answer(update, views.ask_ack())
    return ACK


def _as_draft(data: dict[str, Any]) -> Draft:
    attachment = data.get("attachment") or {}
    send_at = datetime.fromisoformat(data["send_at"]) if data.get("send_at") else utcnow()
    return Draft(
        text=data["text"],
        target=Target.from_json(data["target"]),
        send_at=send_at,
        requires_ack=bool(data.get("requires_ack")),
        attachment_kind=attachment.get("kind"),
        attachment_file_id=attachment.get("file_id"),
        attachment_name=attachment.get("name"),
    )


async def ack_chosen(update: Update, context: BotContext) -> int:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None and update.effective_chat is not None
    await query.answer()
    data = _draft(context)
    data["requires_ack"] = (query.data or "").endswith(":1")
    if "text" not in data or "target" not in data:
        await answer(update, OutMessage(views.incomplete()))
        _forget(context)
        return END
    draft = _as_draft(data)
    recipients = await broadcasts.count_recipients(scope.session, actor=scope.actor, target=draft.target)
    preview = broadcast_copy(
        {
            "b": 0,
            "content": {
                "sender": scope.actor.full_name,
                "text": draft.text,
                "requires_ack": draft.requires_ack,
                "attachment_kind": draft.attachment_kind,
                "attachment_file_id": draft.attachment_file_id,
            },
        }
    )
    await answer(update, views.preview_heading())
    await send(context.bot, update.effective_chat.id, preview)
    missing = await broadcasts.count_not_joined(scope.session, actor=scope.actor, target=draft.target)
    send_at = draft.send_at if data.get("send_at") else None
    await answer(update, views.summary(recipients, send_at, draft.requires_ack, missing))
    if recipients == 0:
        _forget(context)
        return END
    return CONFIRM


async def confirm(update: Update, context: BotContext) -> int:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None and update.effective_chat is not None
    data = _draft(context)
    if "requires_ack" not in data:
        await query.answer(views.incomplete(), show_alert=True)
        return END
    broadcast = await broadcasts.create(scope.session, actor=scope.actor, draft=_as_draft(data))
    broadcast_id, total, send_at, scheduled = (
        broadcast.id,
        broadcast.total,
        broadcast.send_at,
        broadcast.status == "scheduled",
    )
    _forget(context)
    scope.outbox_planned = True
    await scope.commit()
    await query.answer()
    await query.edit_message_reply_markup(None)
    progress = await answer(update, views.created(broadcast_id, total, send_at, scheduled=scheduled))
    if progress is not None:
        await broadcast_status.set_progress_message(
            scope.session, broadcast_id=broadcast_id, chat_id=progress.chat_id, message_id=progress.message_id
        )
    return END


async def cancel(update: Update, context: BotContext) -> int:
    _forget(context)
    if update.callback_query is not None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_reply_markup(None)
    await answer(update, views.cancelled())
    return END


def conversation() -> ConversationHandler:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    typed = private & filters.TEXT & ~filters.COMMAND
    # Typed text and buttons mix in the steps, so the conversation is per user and chat (see pledge.py).
    warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
    return ConversationHandler(
        entry_points=[CommandHandler("broadcast", start, filters=private)],
        states={
            TEXT: [MessageHandler(typed, text_received)],
            ATTACH: [
                MessageHandler(private & (filters.Document.ALL | filters.PHOTO), attachment_received),
                CallbackQueryHandler(no_attachment, pattern=r"^bc:skip$"),
            ],
            TARGET: [CallbackQueryHandler(target_chosen, pattern=r"^bc:t:(all|units|heads|groups)$")],
            UNITS: [
                CallbackQueryHandler(units_pressed, pattern=r"^bc:u:"),
                MessageHandler(typed, units_typed),
            ],
            WHEN: [CallbackQueryHandler(send_now, pattern=r"^bc:w:now$"), MessageHandler(typed, time_typed)],
            ACK: [CallbackQueryHandler(ack_chosen, pattern=r"^bc:a:[01]$")],
            CONFIRM: [
                CallbackQueryHandler(confirm, pattern=r"^bc:ok$"),
                CallbackQueryHandler(cancel, pattern=r"^bc:no$"),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel), CommandHandler("broadcast", start, filters=private)],
        name="broadcast",
        persistent=True,
        allow_reentry=True,
    )
