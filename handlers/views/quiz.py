"""Quizzes in the chat: a question with a choice per option, the verdict it turns into, and the score."""

from __future__ import annotations

from datetime import date, datetime, time

from compliance.content import Question
from handlers.i18n import LOCAL_TZ, _, current_locale, fmt_date
from handlers.messages import Choice, OutMessage, esc, row
from handlers.views.sources import source_line


def _heading(practice: bool, week: date | None) -> str:
    if practice or week is None:
        return _("🎯 <b>Practice quiz</b> (does not count)")
    week_text = fmt_date(datetime.combine(week, time(12), LOCAL_TZ))
    return _("📝 <b>Weekly quiz</b>, week of {week}").format(week=week_text)


def _question_text(question: Question, index: int, total: int) -> str:
    return _("<b>Question {n} of {total}</b>\n{question}").format(
        n=index + 1, total=total, question=esc(question.question.get(current_locale()))
    )


def question(
    *, attempt_id: int, question: Question, index: int, total: int, practice: bool, week: date | None
) -> OutMessage:
    locale = current_locale()
    text = f"{_heading(practice, week)}\n\n{_question_text(question, index, total)}"
    choices = tuple(
        row(Choice(option.get(locale), f"qz:{attempt_id}:{index}:{n}"))
        for n, option in enumerate(question.options)
    )
    return OutMessage(text, choices=choices)


def verdict(question: Question, *, index: int, total: int, chosen: int, correct: bool) -> OutMessage:
    """The question's message once answered: its buttons go."""
    locale = current_locale()
    lines = [
        _question_text(question, index, total),
        "",
        _("Your answer: {option}").format(option=esc(question.options[chosen].get(locale))),
        correct_toast(correct),
        _("Right answer: {option}").format(option=esc(question.options[question.answer].get(locale))),
        f"<i>{esc(question.explanation.get(locale))}</i>",
    ]
    if (source := source_line(question.source)) is not None:
        lines.append(esc(source))
    return OutMessage("\n".join(lines), edit=True)


def correct_toast(correct: bool) -> str:
    return _("✅ Correct.") if correct else _("✖ Not correct.")


def score(*, score: int, total: int, practice: bool) -> OutMessage:
    if practice:
        return OutMessage(
            _(
                "🎯 Practice round finished: {score}/{total}. It does not count; send /quiz for another."
            ).format(score=score, total=total)
        )
    return OutMessage(
        _("📝 This week's quiz is done: {score}/{total}. Thank you!").format(score=score, total=total)
    )


def already_done(*, score: int, total: int) -> OutMessage:
    return OutMessage(
        _("You have already done this week's quiz: {score}/{total}.").format(score=score, total=total)
    )


def already_answered() -> str:
    return _("You have already answered this question.")
