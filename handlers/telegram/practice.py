"""Daily practice in the chat: the reminder's "read" button, /checkin (the weekly self-check, one message
edited as the person answers), its optional note, and /mute for leave."""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
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
from compliance.practice.calendar import DayProblem, read_day
from compliance.practice.self_checks import MAX_NOTE, AnswerOutcome, NoteOutcome, SelfCheckView
from compliance.text import clean_text
from handlers.i18n import _, current_locale, fmt_date, fmt_datetime, fmt_number, fmt_weekday
from handlers.messages import echo, esc
from handlers.scope import current_scope
from handlers.telegram.context import BotContext, reply
from storage.clock import local_today, utcnow

MARKS = {"yes": "✅", "partly": "◐", "no": "✖"}
NOTE = 0
MAX_MUTE_DAYS = 180


def answer_label(answer: str) -> str:
    return {"yes": _("Achieved"), "partly": _("Partly achieved"), "no": _("Not achieved")}[answer]


async def reminder_read(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    try:
        day = date.fromisoformat((query.data or "").split(":", 1)[1])
    except (IndexError, ValueError):
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    first_time = await practice.mark_reminder_read(
        scope.session, official_id=scope.actor.id, day=day, now=utcnow()
    )
    await scope.commit()
    await query.answer(_("Marked as read.") if first_time else _("Already marked."))
    if first_time:
        done = InlineKeyboardMarkup([[InlineKeyboardButton(_("✅ Read"), callback_data="rd:done")]])
        await query.edit_message_reply_markup(done)


def render_selfcheck(view: SelfCheckView, cursor: int) -> tuple[str, InlineKeyboardMarkup | None]:
    locale = current_locale()
    title = view.title_en if locale == "en" else view.title_vi
    lines = [
        _("<b>Weekly self-check</b>, week of {week}: {title}").format(
            week=fmt_date(view.week), title=esc(title)
        ),
        _("Answer each item honestly; you can change your answers until {deadline}.").format(
            deadline=fmt_datetime(view.deadline_at)
        ),
        "",
    ]
    for number, item in enumerate(view.items, start=1):
        mark = MARKS.get(view.answers.get(item.id, ""), "▫")
        pointer = "👉 " if number - 1 == cursor else ""
        lines.append(f"{pointer}{mark} {number}. {esc(item.text.get(locale))}")
    if view.note:
        lines += ["", _("Note: {note}").format(note=esc(view.note))]
    if view.status in ("done", "late"):
        lines += ["", _("✅ Completed. Thank you!")]
    elif view.status == "missed":
        lines += ["", _("The deadline has passed: you can still complete it, and it will count as late.")]
    buttons: list[list[InlineKeyboardButton]] = []
    if view.editable(utcnow()):
        buttons.append(
            [
                InlineKeyboardButton(
                    f"{MARKS[a]} {answer_label(a)}", callback_data=f"sc:{view.id}:{cursor}:{a[0]}"
                )
                for a in practice.ANSWERS
            ]
        )
        navigation = []
        if cursor > 0:
            navigation.append(InlineKeyboardButton("◀", callback_data=f"sc:{view.id}:go:{cursor - 1}"))
        if cursor + 1 < len(view.items):
            navigation.append(InlineKeyboardButton("▶", callback_data=f"sc:{view.id}:go:{cursor + 1}"))
        if navigation:
            buttons.append(navigation)
        if view.status in ("done", "late"):
            buttons.append([InlineKeyboardButton(_("✍️ Add a note"), callback_data=f"sc:{view.id}:note")])
    return "\n".join(lines), InlineKeyboardMarkup(buttons) if buttons else None


async def checkin(update: Update, context: BotContext) -> None:
    scope = current_scope()
    assert scope.actor is not None
    view = await practice.current_selfcheck(scope.session, official_id=scope.actor.id)
    if view is None:
        # The office or the unit may have moved the opening: say the day and time that apply to this person.
        effective = (await schedules.load_schedules(scope.session)).for_unit(scope.actor.unit_id)
        text = _("There is no self-check open for you yet. It opens on {weekday} at {time}.")
        await reply(
            update,
            text.format(
                weekday=fmt_weekday(effective.selfcheck_open_weekday), time=effective.selfcheck_open_time
            ),
        )
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    text, markup = render_selfcheck(view, view.next_unanswered or 0)
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def selfcheck_button(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    parts = (query.data or "").split(":")
    if len(parts) != 4 or not parts[1].isdigit():
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    check_id = int(parts[1])
    if parts[2] == "go":
        view = await practice.current_selfcheck(scope.session, official_id=scope.actor.id)
        if view is None or view.id != check_id or not parts[3].isdigit():
            await query.answer(_("This button is no longer valid."), show_alert=True)
            return
        await query.answer()
        text, markup = render_selfcheck(view, min(int(parts[3]), len(view.items) - 1))
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        return
    answer = {"y": "yes", "p": "partly", "n": "no"}.get(parts[3], "")
    index = int(parts[2]) if parts[2].isdigit() else -1
    outcome, view = await practice.answer_selfcheck(
        scope.session, check_id=check_id, official_id=scope.actor.id, item_index=index, answer=answer
    )
    if outcome is AnswerOutcome.INVALID or view is None:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    if outcome is AnswerOutcome.CLOSED:
        await query.answer(_("This self-check is closed: its deadline has passed."), show_alert=True)
        return
    await scope.commit()
    await query.answer(_("Saved.") if outcome is AnswerOutcome.SAVED else _("Completed. Thank you!"))
    following = view.next_unanswered
    cursor = following if following is not None else min(index + 1, len(view.items) - 1)
    text, markup = render_selfcheck(view, cursor)
    await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def ask_note(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None and context.user_data is not None
    await query.answer()
    context.user_data["selfcheck_note"] = int((query.data or "sc:0:note").split(":")[1])
    await reply(
        update,
        _("Type a short note for this week's self-check (up to {limit} characters), or /cancel.").format(
            limit=fmt_number(MAX_NOTE)
        ),
    )
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
        # Nothing is kept: the person sends a shorter note (still in this step) or /cancel.
        await reply(
            update,
            _(
                "Your note has {length} characters; a note can have at most {limit}. Nothing was saved: "
                "send a shorter note, or /cancel."
            ).format(length=fmt_number(len(clean_text(text))), limit=fmt_number(MAX_NOTE)),
        )
        return NOTE
    if outcome is NoteOutcome.EMPTY:
        await reply(update, _("The note is empty. Type a few words, or /cancel."))
        return NOTE
    context.user_data.pop("selfcheck_note", None)
    if outcome is NoteOutcome.SAVED:
        await scope.commit()
        await reply(update, _("Note saved."))
    else:
        await reply(update, _("The note could not be saved: the self-check is closed."))
    return ConversationHandler.END


async def cancel_note(update: Update, context: BotContext) -> int:
    if context.user_data is not None:
        context.user_data.pop("selfcheck_note", None)
    await reply(update, _("Cancelled. Nothing was recorded."))
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
        await reply(
            update, _("Daily reminders are on again.") if removed else _("Your reminders were not muted.")
        )
        return
    if not args:
        current = await practice.muted_until(scope.session, official_id=scope.actor.id, today=today)
        status = (
            _("Reminders are muted until {date}.").format(date=fmt_date(current))
            if current
            else _("Reminders are on.")
        )
        await reply(update, status + "\n" + mute_usage())
        return
    until = mute_day(args[0], today)
    if isinstance(until, str):
        await reply(update, until + "\n" + mute_usage())
        return
    await practice.mute_reminders(scope.session, official_id=scope.actor.id, until=until)
    await scope.commit()
    await reply(
        update,
        _("Daily reminders muted until {date}. Self-checks and quizzes stay on.").format(
            date=fmt_date(until)
        ),
    )


def mute_usage() -> str:
    return _(
        "Usage: /mute 15/12 mutes the daily reminder until that day (at most 180 days); "
        "/mute off turns it back on. Self-checks and quizzes stay on."
    )


def mute_day(text: str, today: date) -> date | str:
    """The day typed after /mute, or what is wrong with it, said in the reader's language."""
    day = read_day(text, today=today)
    if day is DayProblem.NOT_A_DATE:
        return _("“{text}” is not a date: write the day and month, like 15/12 or 15/12/2026.").format(
            text=echo(text)
        )
    if day is DayProblem.NO_SUCH_DAY:
        return _("There is no day “{text}” in the calendar.").format(text=echo(text))
    assert isinstance(day, date)
    if day < today and text.count("/") + text.count(".") + text.count("-") == 1:
        # "5/1" typed in December means next January, not the one that has passed.
        try:
            day = day.replace(year=day.year + 1)
        except ValueError:  # 29/02 in a year without it
            return _("There is no day “{text}” in the calendar.").format(text=echo(text))
    if day < today:
        return _("{date} is in the past: choose today or a later day.").format(date=fmt_date(day))
    last = today + timedelta(days=MAX_MUTE_DAYS)
    if day > last:
        text = _("{date} is more than {n} days ahead: reminders can be muted until {last} at the latest.")
        return text.format(date=fmt_date(day), n=MAX_MUTE_DAYS, last=fmt_date(last))
    return day


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
