"""Daily practice in the chat: the reminder's "read" button, /checkin (the weekly self-check, one message
edited as the person answers), its optional note, and /mute for leave."""

from __future__ import annotations

import warnings
from datetime import date
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from compliance.practice import schedules
from compliance.practice import self_checks as practice
from compliance.practice.self_checks import AnswerOutcome, NoteOutcome
from compliance.text import clean_text
from handlers.messages import OutMessage
from handlers.scope import current_scope
from handlers.telegram import render
from handlers.telegram.context import BotContext
from handlers.views import access
from handlers.views import practice as views
from storage.clock import local_today, utcnow

NOTE = 0


async def reminder_read(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    try:
        day = date.fromisoformat((query.data or "").split(":", 1)[1])
    except (IndexError, ValueError):
        await query.answer(access.stale_button(), show_alert=True)
        return
    first_time = await practice.mark_reminder_read(
        scope.session, official_id=scope.actor.id, day=day, now=utcnow()
    )
    await scope.commit()
    await query.answer(views.marked_read(first_time))
    if first_time:
        await query.edit_message_reply_markup(
            render.inline_keyboard(OutMessage(choices=views.read_choices()))
        )


async def checkin(update: Update, context: BotContext) -> None:
    scope = current_scope()
    assert scope.actor is not None
    view = await practice.current_selfcheck(scope.session, official_id=scope.actor.id)
    if view is None:
        # The office or the unit may have moved the opening: say the day and time that apply to this person.
        effective = (await schedules.load_schedules(scope.session)).for_unit(scope.actor.unit_id)
        await render.answer(
            update, views.not_open(effective.selfcheck_open_weekday, effective.selfcheck_open_time)
        )
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat = update.effective_chat
    assert chat is not None
    await render.send(context.bot, chat.id, views.selfcheck(view, view.next_unanswered or 0))


async def selfcheck_button(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    parts = (query.data or "").split(":")
    if len(parts) != 4 or not parts[1].isdigit():
        await query.answer(access.stale_button(), show_alert=True)
        return
    check_id = int(parts[1])
    if parts[2] == "go":
        view = await practice.current_selfcheck(scope.session, official_id=scope.actor.id)
        if view is None or view.id != check_id or not parts[3].isdigit():
            await query.answer(access.stale_button(), show_alert=True)
            return
        await query.answer()
        await render.answer(update, views.selfcheck(view, min(int(parts[3]), len(view.items) - 1), edit=True))
        return
    answer = {"y": "yes", "p": "partly", "n": "no"}.get(parts[3], "")
    index = int(parts[2]) if parts[2].isdigit() else -1
    outcome, view = await practice.answer_selfcheck(
        scope.session, check_id=check_id, official_id=scope.actor.id, item_index=index, answer=answer
    )
    if outcome is AnswerOutcome.INVALID or view is None:
        await query.answer(access.stale_button(), show_alert=True)
        return
    if outcome is AnswerOutcome.CLOSED:
        await query.answer(views.closed(), show_alert=True)
        return
    await scope.commit()
    await query.answer(views.saved(completed=outcome is not AnswerOutcome.SAVED))
    following = view.next_unanswered
    cursor = following if following is not None else min(index + 1, len(view.items) - 1)
    await render.answer(update, views.selfcheck(view, cursor, edit=True))


async def ask_note(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None and context.user_data is not None
    await query.answer()
    context.user_data["selfcheck_note"] = int((query.data or "sc:0:note").split(":")[1])
    await render.answer(update, views.ask_note())
    return NOTE


async def save_note(update: Update, context: BotContext) -> int:
    scope = current_scope()
    message = update.effective_message
    assert message is not None and scope.actor is not None and context.user_data is not None
    check_id = int(context.user_data.get("selfcheck_note", 0))
    text = message.text or ""
    outcome = await practice.note_selfcheck(
        scope.session, check_id=check_id, official_id=scope.actor.id, note=text
    )
    if outcome is NoteOutcome.TOO_LONG:
        await render.answer(update, views.note_too_long(len(clean_text(text))))
        return NOTE
    if outcome is NoteOutcome.EMPTY:
        await render.answer(update, views.note_empty())
        return NOTE
    context.user_data.pop("selfcheck_note", None)
    if outcome is NoteOutcome.SAVED:
        await scope.commit()
    await render.answer(update, views.note_saved(outcome is NoteOutcome.SAVED))
    return ConversationHandler.END


async def cancel_note(update: Update, context: BotContext) -> int:
    if context.user_data is not None:
        context.user_data.pop("selfcheck_note", None)
    await render.answer(update, access.cancelled())
    return ConversationHandler.END


def note_conversation() -> ConversationHandler:  # type: ignore[type-arg]
    warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
    return ConversationHandler(
        entry_points=[CallbackQueryHandler(ask_note, pattern=r"^sc:\d+:note$")],
        states={
            NOTE: [MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, save_note)]
        },
        fallbacks=[CommandHandler("cancel", cancel_note)],
        name="selfcheck_note",
        persistent=True,
    )


async def mute(update: Update, context: BotContext) -> None:
    """/mute 15/12 — no daily reminder until then (leave); /mute off — reminders again."""
    scope = current_scope()
    assert scope.actor is not None
    args = context.args or []
    today = local_today()
    if args and args[0].lower() in ("off", "tắt", "huy", "hủy", "huỷ"):
        removed = await practice.unmute_reminders(scope.session, official_id=scope.actor.id)
        await scope.commit()
        await render.answer(update, views.unmuted(removed))
        return
    if not args:
        current = await practice.muted_until(scope.session, official_id=scope.actor.id, today=today)
        await render.answer(update, views.mute_status(current))
        return
    until = views.mute_day(args[0], today)
    if isinstance(until, str):
        await render.answer(update, views.mute_refused(until))
        return
    await practice.mute_reminders(scope.session, official_id=scope.actor.id, until=until)
    await scope.commit()
    await render.answer(update, views.muted(until))


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        note_conversation(),
        CommandHandler("checkin", checkin, filters=private),
        CommandHandler("mute", mute, filters=private),
        CallbackQueryHandler(reminder_read, pattern=r"^rd:\d{4}-\d{2}-\d{2}$"),
        CallbackQueryHandler(checkin, pattern=r"^sc:open:"),
        CallbackQueryHandler(selfcheck_button, pattern=r"^sc:\d+:"),
    ]
