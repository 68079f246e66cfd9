"""/broadcast: composing a plan update step by step, previewing it exactly as recipients will see it, and
confirming. Nothing is sent before the confirmation; the draft is kept in the conversation's storage (the
database), so a restart in the middle loses nothing."""

from __future__ import annotations

import warnings
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from compliance.broadcasts import sending as broadcasts
from compliance.broadcasts import status as broadcast_status
from compliance.broadcasts.sending import Draft, Target, TargetKind
from handlers.i18n import _, fmt_datetime, fmt_number
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram.broadcast_units import picker_pressed, show_picker
from handlers.telegram.context import BotContext, reply
from handlers.telegram.render import send
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


def _buttons(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def start(update: Update, context: BotContext) -> int:
    actor = current_scope().actor
    assert actor is not None
    if not broadcasts.may_broadcast(actor):
        await reply(update, _("Only administrators and unit heads can send plan updates."))
        return END
    _forget(context)
    _draft(context)
    await reply(
        update,
        _(
            "<b>New plan update</b>\nWrite the text recipients will read (at most {limit} characters; "
            "{caption} if you attach a file). /cancel stops at any step."
        ).format(
            limit=fmt_number(broadcasts.text_limit(with_attachment=False)),
            caption=fmt_number(broadcasts.text_limit(with_attachment=True)),
        ),
    )
    return TEXT


async def text_received(update: Update, context: BotContext) -> int:
    assert update.message is not None
    text = broadcasts.clean_broadcast_text(update.message.text or "")
    if not text:
        await reply(update, _("The text is empty. Write the plan update, or /cancel."))
        return TEXT
    length, limit = broadcasts.utf16_length(text), broadcasts.text_limit(with_attachment=False)
    if length > limit:
        await reply(
            update,
            _(
                "The text is too long: {length} characters, at most {limit}. Shorten it and send it again."
            ).format(length=fmt_number(length), limit=fmt_number(limit)),
        )
        return TEXT
    _draft(context)["text"] = text
    await reply(
        update,
        _(
            "Send a document (for example the signed plan as PDF) or a photo to attach, "
            "or press “No attachment”."
        ),
        reply_markup=_buttons([(_("No attachment"), "bc:skip")]),
    )
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
        await reply(
            update,
            _(
                "With a file the text can have at most {limit} characters (a caption), "
                "and yours has {length}. Press “No attachment”, "
                "or /broadcast to start again with a shorter text."
            ).format(length=fmt_number(length), limit=fmt_number(limit)),
            reply_markup=_buttons([(_("No attachment"), "bc:skip")]),
        )
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
        await reply(update, _("Send a document or a photo, or press “No attachment”."))
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
    everyone = _("Everyone") if actor.is_admin else _("Everyone in my unit")
    await reply(
        update,
        _("Who should receive it?"),
        reply_markup=_buttons(
            [(everyone, "bc:t:all"), (_("Chosen units"), "bc:t:units")],
            [(_("Unit heads only"), "bc:t:heads"), (_("Linked unit groups"), "bc:t:groups")],
        ),
    )
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
        problems = []
        if choice.unknown:
            problems.append(_("Unknown unit codes: {codes}.").format(codes=esc(", ".join(choice.unknown))))
        if choice.outside:
            problems.append(
                _("Outside the units you may send to: {codes}.").format(codes=esc(", ".join(choice.outside)))
            )
        problems.append(_("Type the unit codes again, or /cancel."))
        await reply(update, "\n".join(problems))
        return UNITS
    _draft(context)["target"] = Target(TargetKind.UNITS, tuple(u.id for u in choice.units)).as_json()
    return await _ask_when(update)


async def _ask_when(update: Update) -> int:
    await reply(
        update,
        _(
            "When? Press “Send now”, or type a date and time in Viet Nam's time, for example {example}."
        ).format(example="25/12/2026 08:00"),
        reply_markup=_buttons([(_("Send now"), "bc:w:now")]),
    )
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
        await reply(
            update,
            _(
                "That is not a date and time in the future (within a year). Example: {example}. Or /cancel."
            ).format(example="25/12/2026 08:00"),
        )
        return WHEN
    _draft(context)["send_at"] = moment.isoformat()
    return await _ask_ack(update)


async def _ask_ack(update: Update) -> int:
    await reply(
        update,
        _("Should recipients confirm they received it (a “Received” button)?"),
        reply_markup=_buttons([(_("Yes, ask for confirmation"), "bc:a:1"), (_("No"), "bc:a:0")]),
    )
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
        await reply(update, _("This draft is incomplete. Start again with /broadcast."))
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
    await reply(update, _("<b>Preview</b>: recipients will see exactly the next message."))
    await send(context.bot, update.effective_chat.id, preview)
    when = fmt_datetime(draft.send_at) if data.get("send_at") else _("now")
    summary = _("Recipients: <b>{n}</b>. Sending: {when}. Confirmation asked: {ack}.").format(
        n=fmt_number(recipients), when=when, ack=_("yes") if draft.requires_ack else _("no")
    )
    missing = await broadcasts.count_not_joined(scope.session, actor=scope.actor, target=draft.target)
    if missing:
        summary += "\n" + _(
            "{n} of the people it is meant for have not joined the bot and will not receive it."
        ).format(n=fmt_number(missing))
    if recipients == 0:
        await reply(
            update, summary + "\n" + _("Nobody would receive it: choose other recipients with /broadcast.")
        )
        _forget(context)
        return END
    await reply(
        update,
        summary,
        reply_markup=_buttons([(_("✅ Confirm and send"), "bc:ok"), (_("✖ Cancel"), "bc:no")]),
    )
    return CONFIRM


async def confirm(update: Update, context: BotContext) -> int:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None and update.effective_chat is not None
    data = _draft(context)
    if "requires_ack" not in data:
        await query.answer(_("This draft is incomplete. Start again with /broadcast."), show_alert=True)
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
    if scheduled:
        text = _(
            "Plan update no. {id} is scheduled for {when}, to {n} recipients. "
            "/broadcasts to follow or cancel it."
        )
    else:
        text = _("Plan update no. {id}: sending to {n} recipients…")
    progress = await reply(
        update, text.format(id=broadcast_id, when=fmt_datetime(send_at), n=fmt_number(total))
    )
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
    await reply(update, _("Cancelled. Nothing was sent."))
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
