"""Quizzes in the chat: /quiz (a practice round that does not count) and the weekly round, started from the
button the scheduler sends (qz:start:<Monday>). One message per question with a button per option; a press
turns that message into the verdict and sends the next question, and the last one the score.

Callback data names the round, the question's place and the option; practice.quizzes checks all of it
again against the database, so an old or forged button changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from compliance.practice import quizzes
from compliance.practice.quizzes import AnswerOutcome, StartOutcome, StartResult
from handlers.messages import OutMessage
from handlers.scope import current_scope
from handlers.telegram import render
from handlers.telegram.context import BotContext
from handlers.views import access
from handlers.views import quiz as views
from storage.clock import utcnow

MAX_ID = 2**31  # ids are 32-bit integers in the database: anything larger is forged


async def _send(update: Update, context: BotContext, message: OutMessage) -> None:
    chat = update.effective_chat
    assert chat is not None
    await render.send(context.bot, chat.id, message)


async def _show(update: Update, context: BotContext, started: StartResult) -> None:
    """The round's next unanswered question, or its score when it is finished."""
    attempt = started.attempt
    index = started.next_index
    if index is None:
        await _send(
            update, context, views.score(score=started.score, total=started.total, practice=attempt.practice)
        )
        return
    question = views.question(
        attempt_id=attempt.id,
        question=started.questions[index],
        index=index,
        total=started.total,
        practice=attempt.practice,
        week=attempt.week,
    )
    await _send(update, context, question)


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
        await query.answer(access.stale_button(), show_alert=True)
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
        await query.answer(access.stale_button(), show_alert=True)
        return
    await scope.commit()
    if started.outcome is StartOutcome.ALREADY_DONE:
        await query.answer()
        await _send(update, context, views.already_done(score=started.score, total=started.total))
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
        await query.answer(access.stale_button(), show_alert=True)
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
        await query.answer(access.stale_button(), show_alert=True)
        return
    if result.outcome is AnswerOutcome.STALE:
        await query.answer(views.already_answered())
        return
    assert result.question is not None
    await scope.commit()  # the answer counts before the person is told how it went
    await query.answer(views.correct_toast(result.correct))
    verdict = views.verdict(
        result.question, index=result.index, total=result.total, chosen=result.chosen, correct=result.correct
    )
    await render.answer(update, verdict)
    if result.next_index is None or result.next_question is None:
        await _send(
            update, context, views.score(score=result.score, total=result.total, practice=result.practice)
        )
        return
    question = views.question(
        attempt_id=attempt_id,
        question=result.next_question,
        index=result.next_index,
        total=result.total,
        practice=result.practice,
        week=result.week,
    )
    await _send(update, context, question)


def callback_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("quiz", quiz_command, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(weekly_start, pattern=r"^qz:start:\d{4}-\d{2}-\d{2}$"),
        CallbackQueryHandler(answer_pressed, pattern=r"^qz:\d+:\d+:\d+$"),
    ]
