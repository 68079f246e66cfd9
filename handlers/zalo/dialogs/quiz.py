"""TRAC NGHIEM: the weekly round the scheduler offered (started or resumed), otherwise a practice round;
questions answered A, B, C or D (or their numbers), the explanation after each, then the score. Rounds are
the chat's and the web's (compliance.practice.quizzes), so a round begun elsewhere is resumed and counted
once, and the domain checks each answer's turn again."""

from __future__ import annotations

import dataclasses
import string
from datetime import date

from compliance.content import Question
from compliance.practice import quiz_rounds, quizzes
from compliance.practice.quizzes import AnswerOutcome, StartOutcome, StartResult
from handlers.i18n import _, current_locale
from handlers.messages import OutMessage, esc
from handlers.views import quiz as views
from handlers.zalo.dialogs.base import Open, Replies, Turn, fold
from storage.models_practice import QuizAttempt

DIALOG = "quiz"
LETTERS = string.ascii_uppercase


async def start(turn: Turn) -> Replies:
    replies: Replies = []
    week = await quiz_rounds.offered_week(turn.session, official_id=turn.me.id)
    weekly = await quizzes.weekly_attempt(turn.session, official_id=turn.me.id, week=week) if week else None
    practice = week is None or (weekly is not None and weekly.finished_at is not None)
    if weekly is not None and weekly.finished_at is not None:
        replies.append(views.already_done(score=weekly.score, total=len(quizzes.question_ids(weekly))))
    started = await quizzes.start_attempt(
        turn.session,
        official_id=turn.me.id,
        bank=quizzes.current_bank(),
        week=None if practice else week,
        practice=practice,
        now=turn.now,
    )
    if started.outcome is StartOutcome.UNAVAILABLE:
        return [*replies, OutMessage(_("This quiz is no longer available."))]
    return [*replies, await _show(turn, started)]


async def _show(turn: Turn, started: StartResult) -> OutMessage:
    attempt = started.attempt
    index = started.next_index
    if index is None:
        await turn.close()
        return views.score(score=started.score, total=started.total, practice=attempt.practice)
    return await _ask(
        turn, attempt.id, started.questions[index], index, started.total, attempt.practice, attempt.week
    )


async def _ask(
    turn: Turn, attempt_id: int, question: Question, index: int, total: int, practice: bool, week: date | None
) -> OutMessage:
    await turn.ask(DIALOG, "answer", attempt=attempt_id, index=index)
    shown = views.question(
        attempt_id=attempt_id,
        question=question,
        index=index,
        total=total,
        practice=practice,
        week=week,
    )
    locale = current_locale()
    options = [f"{LETTERS[n]}. {esc(option.get(locale))}" for n, option in enumerate(question.options)]
    # The options as lettered lines rather than numbered choices: the answer is a letter, as on paper.
    return OutMessage("\n".join([shown.text, "", *options, "", reply_hint(len(question.options))]))


def reply_hint(options: int) -> str:
    letters = [LETTERS[n] for n in range(options)]
    return _("Reply {letters} or {last}.").format(letters=", ".join(letters[:-1]), last=letters[-1])


def chosen_option(text: str, options: int) -> int | None:
    """ "b", "B.", "2" → 1; anything else None."""
    folded = fold(text)
    if len(folded) == 1 and folded.upper() in LETTERS[:options]:
        return LETTERS.index(folded.upper())
    if folded.isascii() and folded.isdigit() and 1 <= int(folded) <= options:
        return int(folded) - 1
    return None


async def answer(turn: Turn, opened: Open) -> Replies:
    attempt_id = int(opened.data.get("attempt", 0))
    index = int(opened.data.get("index", 0))
    question = await _current_question(turn, attempt_id, index)
    if question is None:
        await turn.close()
        return [OutMessage(_("This quiz is no longer available."))]
    chosen = chosen_option(turn.text, len(question.options))
    if chosen is None:
        return [OutMessage(reply_hint(len(question.options)))]
    result = await quizzes.answer(
        turn.session, attempt_id=attempt_id, official_id=turn.me.id, index=index, chosen=chosen, now=turn.now
    )
    if result.outcome is AnswerOutcome.NOT_FOUND:
        await turn.close()
        return [OutMessage(_("This quiz is no longer available."))]
    if result.outcome is AnswerOutcome.STALE or result.question is None:
        await turn.close()
        return [OutMessage(views.already_answered())]
    verdict = dataclasses.replace(
        views.verdict(
            result.question,
            index=result.index,
            total=result.total,
            chosen=result.chosen,
            correct=result.correct,
        ),
        edit=False,
    )
    if result.next_index is None or result.next_question is None:
        await turn.close()
        return [verdict, views.score(score=result.score, total=result.total, practice=result.practice)]
    following = await _ask(
        turn, attempt_id, result.next_question, result.next_index, result.total, result.practice, result.week
    )
    return [verdict, following]


async def _current_question(turn: Turn, attempt_id: int, index: int) -> Question | None:
    """The question the open step names, if that round is this person's (the domain checks it again)."""
    attempt = await turn.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.official_id != turn.me.id:
        return None
    questions = quizzes.questions_of(attempt)
    return questions[index] if 0 <= index < len(questions) else None
