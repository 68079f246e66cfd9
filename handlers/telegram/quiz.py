"""Quizzes in the chat: /quiz (a practice round that does not count) and the weekly round, started from the
button the scheduler sends (qz:start:<Monday>). One message per question with a button per option; a press
turns that message into the verdict and sends the next question, and the last one the score.

Callback data names the round, the question's place and the option; practice.quizzes checks all of it
again against the database, so an old or forged button changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from compliance.content import Question
from compliance.practice import quizzes
from compliance.practice.quizzes import AnswerOutcome, StartOutcome, StartResult
from handlers.i18n import LOCAL_TZ, _, current_locale, fmt_date
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram.context import BotContext
from storage.clock import utcnow

MAX_ID = 2**31  # ids are 32-bit integers in the database: anything larger is forged


def _heading(practice: bool, week: date | None) -> str:
    if practice or week is None:
        return _("🎯 <b>Practice quiz</b> (does not count)")
    week_text = fmt_date(datetime.combine(week, time(12), LOCAL_TZ))
    return _("📝 <b>Weekly quiz</b>, week of {week}").format(week=week_text)


def _question_text(question: Question, index: int, total: int) -> str:
    return _("<b>Question {n} of {total}</b>\n{question}").format(
        n=index + 1, total=total, question=esc(question.question.get(current_locale()))
    )


def render_question(
    *, attempt_id: int, question: Question, index: int, total: int, practice: bool, week: date | None
) -> tuple[str, InlineKeyboardMarkup]:
    locale = current_locale()
    text = f"{_heading(practice, week)}\n\n{_question_text(question, index, total)}"
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(option.get(locale), callback_data=f"qz:{attempt_id}:{index}:{n}")]
            for n, option in enumerate(question.options)
        ]
    )
    return text, markup


def render_verdict(question: Question, *, index: int, total: int, chosen: int, correct: bool) -> str:
    locale = current_locale()
    lines = [
        _question_text(question, index, total),
        "",
        _("Your answer: {option}").format(option=esc(question.options[chosen].get(locale))),
        _("✅ Correct.") if correct else _("✖ Not correct."),
        _("Right answer: {option}").format(option=esc(question.options[question.answer].get(locale))),
        f"<i>{esc(question.explanation.get(locale))}</i>",
    ]
    return "\n".join(lines)


def render_score(*, score: int, total: int, practice: bool) -> str:
    if practice:
        return _(
            "🎯 Practice round finished: {score}/{total}. It does not count; send /quiz for another."
        ).format(score=score, total=total)
    return _("📝 This week's quiz is done: {score}/{total}. Thank you!").format(score=score, total=total)


async def _send(update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup | None) -> None:
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def _show(update: Update, context: BotContext, started: StartResult) -> None:
    """The round's next unanswered question, or its score when it is finished."""
    attempt = started.attempt
    index = started.next_index
    if index is None:
        await _send(
            update,
            context,
            render_score(score=started.score, total=started.total, practice=attempt.practice),
            None,
        )
        return
    text, markup = render_question(
        attempt_id=attempt.id,
        question=started.questions[index],
        index=index,
        total=started.total,
        practice=attempt.practice,
        week=attempt.week,
    )
    await _send(update, context, text, markup)


async def quiz_command(update: Update, context: BotContext) -> None:
    """/quiz: a practice round of questions not seen lately; it is kept but never counted."""
    scope = current_scope()
    assert scope.actor is not None
    started = await quizzes.start_attempt(
        scope.session,
        official_id=scope.actor.id,
        bank=quizzes.current_bank(),
        week=None,
        practice=True,
        now=utcnow(),
    )
    await scope.commit()  # the round exists before its first button can be pressed
    await _show(update, context, started)


async def weekly_start(update: Update, context: BotContext) -> None:
    """The weekly round's button: start it, resume it, or say its score if it is done."""
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    try:
        week = date.fromisoformat((query.data or "").split(":", 2)[2])
    except (IndexError, ValueError):
        week = None
    if week is None or week.weekday() != 0:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    started = await quizzes.start_attempt(
        scope.session,
        official_id=scope.actor.id,
        bank=quizzes.current_bank(),
        week=week,
        practice=False,
        now=utcnow(),
    )
    if started.outcome is StartOutcome.UNAVAILABLE:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await scope.commit()
    if started.outcome is StartOutcome.ALREADY_DONE:
        await query.answer()
        await _send(
            update,
            context,
            _("You have already done this week's quiz: {score}/{total}.").format(
                score=started.score, total=started.total
            ),
            None,
        )
        return
    await query.answer()
    await _show(update, context, started)


async def answer_pressed(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    parts = (query.data or "").split(":")
    numbers = [int(part) if part.isascii() and part.isdigit() else -1 for part in parts[1:]]
    if len(numbers) != 3 or not all(0 <= n < MAX_ID for n in numbers):
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    attempt_id, index, chosen = numbers
    result = await quizzes.answer(
        scope.session,
        attempt_id=attempt_id,
        official_id=scope.actor.id,
        index=index,
        chosen=chosen,
        now=utcnow(),
    )
    if result.outcome is AnswerOutcome.NOT_FOUND:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    if result.outcome is AnswerOutcome.STALE:
        await query.answer(_("You have already answered this question."))
        return
    assert result.question is not None
    await scope.commit()  # the answer counts before the person is told how it went
    await query.answer(_("✅ Correct.") if result.correct else _("✖ Not correct."))
    verdict = render_verdict(
        result.question, index=result.index, total=result.total, chosen=result.chosen, correct=result.correct
    )
    await query.edit_message_text(verdict, parse_mode=ParseMode.HTML, reply_markup=None)
    if result.next_index is None or result.next_question is None:
        await _send(
            update,
            context,
            render_score(score=result.score, total=result.total, practice=result.practice),
            None,
        )
        return
    text, markup = render_question(
        attempt_id=attempt_id,
        question=result.next_question,
        index=result.next_index,
        total=result.total,
        practice=result.practice,
        week=result.week,
    )
    await _send(update, context, text, markup)


def callback_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("quiz", quiz_command, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(weekly_start, pattern=r"^qz:start:\d{4}-\d{2}-\d{2}$"),
        CallbackQueryHandler(answer_pressed, pattern=r"^qz:\d+:\d+:\d+$"),
    ]
