"""/quiz: the weekly round the scheduler offered (or a practice round), all questions as one form, then
the results with explanations. Rounds are the chat's (compliance.practice.quizzes): a round started in the
chat is resumed here and counts once, and an answer already given in the chat is not asked again."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.practice import quiz_rounds, quizzes
from compliance.practice.quizzes import StartOutcome
from handlers.commands import Access
from handlers.i18n import _, current_locale
from handlers.views.sources import source_line
from handlers.web.context import WebContext, int_param, is_number, page
from handlers.web.errors import BadInput, NotFound
from storage.clock import utcnow


@page(access=Access.MEMBER)
async def overview(context: WebContext) -> Response:
    me = context.me
    week = await quiz_rounds.offered_week(context.session, official_id=me.id)
    weekly = await quizzes.weekly_attempt(context.session, official_id=me.id, week=week) if week else None
    rounds = await quiz_rounds.latest_rounds(context.session, official_id=me.id)
    return context.render(
        "official/quiz.html",
        title=_("Quiz"),
        week=week,
        weekly=weekly,
        rounds=[(attempt, quiz_rounds.total_of(attempt)) for attempt in rounds],
    )


@page(access=Access.MEMBER)
async def start(context: WebContext) -> Response:
    me = context.me
    kind = context.field("kind")
    if kind not in ("weekly", "practice"):
        raise BadInput(_("The form could not be read. Reload the page and try again."))
    week = None
    if kind == "weekly":
        week = await quiz_rounds.offered_week(context.session, official_id=me.id)
        if week is None:
            raise BadInput(_("There is no weekly quiz for you yet."))
    started = await quizzes.start_attempt(
        context.session,
        official_id=me.id,
        bank=quizzes.current_bank(),
        week=week,
        practice=kind == "practice",
        now=utcnow(),
    )
    if started.outcome is StartOutcome.UNAVAILABLE:
        raise BadInput(_("This quiz is no longer available."))
    return context.redirect(f"/quiz/{started.attempt.id}")


def _round_page(
    context: WebContext, review: quiz_rounds.Review, *, status: int = 200, error: str = ""
) -> Response:
    locale = current_locale()
    attempt = review.attempt
    questions = [
        {
            "index": index,
            "text": item.question.question.get(locale),
            "options": [option.get(locale) for option in item.question.options],
            "chosen": item.chosen,
            "correct": item.correct,
            "answer": item.question.options[item.question.answer].get(locale),
            "explanation": item.question.explanation.get(locale),
            "source": source_line(item.question.source),
        }
        for index, item in enumerate(review.questions)
    ]
    return context.render(
        "official/quiz_round.html",
        status=status,
        title=_("Quiz"),
        attempt=attempt,
        questions=questions,
        next_index=review.next_index,
        total=len(questions),
        error=error,
    )


async def _review(context: WebContext) -> quiz_rounds.Review:
    attempt_id = int_param(context.request.path_params.get("attempt"))
    review = await quiz_rounds.review(context.session, official_id=context.me.id, attempt_id=attempt_id)
    if review is None or not review.questions:
        raise NotFound()
    return review


@page(access=Access.MEMBER)
async def show_round(context: WebContext) -> Response:
    return _round_page(context, await _review(context))


@page(access=Access.MEMBER)
async def answer_round(context: WebContext) -> Response:
    review = await _review(context)
    first = review.next_index
    if first is None:
        return context.redirect(f"/quiz/{review.attempt.id}")
    chosen: list[int] = []
    for index in range(first, len(review.questions)):
        value = context.field(f"q{index}")
        options = len(review.questions[index].question.options)
        if not (is_number(value, 3) and int(value) < options):
            return _round_page(context, review, status=400, error=_("Answer every question, then submit."))
        chosen.append(int(value))
    for offset, option in enumerate(chosen):
        # An answer given meanwhile in the chat makes this one stale: the chat's answer stands.
        await quizzes.answer(
            context.session,
            attempt_id=review.attempt.id,
            official_id=context.me.id,
            index=first + offset,
            chosen=option,
            now=utcnow(),
        )
    return context.redirect(f"/quiz/{review.attempt.id}")


def routes() -> list[BaseRoute]:
    return [
        Route("/quiz", overview, methods=["GET"]),
        Route("/quiz/start", start, methods=["POST"]),
        Route("/quiz/{attempt}", show_round, methods=["GET"]),
        Route("/quiz/{attempt}", answer_round, methods=["POST"]),
    ]
