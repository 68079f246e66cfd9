"""Quiz rounds as a page shows them: the weekly round the scheduler offered this person, one round with
its answers for review, and the latest results. Rounds are started and answered through
compliance.practice.quizzes only, so a round begun in the chat and finished on a page is one round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.content import Question
from compliance.practice.quizzes import question_ids, questions_of
from storage.models import OutboxMessage
from storage.models_practice import QuizAnswer, QuizAttempt

QUIZ_PROMPT = "quiz"  # the outbox kind of the weekly round's invitation (compliance.practice.planning)


async def offered_week(session: AsyncSession, *, official_id: int) -> date | None:
    """The Monday of the newest weekly round the scheduler invited this person to (None: never invited:
    the chat's weekly button is the same invitation, so a page offers exactly what the chat offers)."""
    payload = await session.scalar(
        select(OutboxMessage.payload)
        .where(OutboxMessage.official_id == official_id, OutboxMessage.kind == QUIZ_PROMPT)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    try:
        week = date.fromisoformat(str((payload or {}).get("week")))
    except ValueError:
        return None
    return week if week.weekday() == 0 else None


@dataclass(frozen=True)
class ReviewedQuestion:
    question: Question
    chosen: int | None  # None: not answered yet
    correct: bool


@dataclass(frozen=True)
class Review:
    attempt: QuizAttempt
    questions: tuple[ReviewedQuestion, ...]  # in asking order; empty when the round's bank is gone

    @property
    def finished(self) -> bool:
        return self.attempt.finished_at is not None

    @property
    def next_index(self) -> int | None:
        if self.finished or self.attempt.answered >= len(self.questions):
            return None
        return self.attempt.answered


async def review(session: AsyncSession, *, official_id: int, attempt_id: int) -> Review | None:
    """One round of this official with what they chose; None for anybody else's (or no such) round."""
    attempt = await session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.official_id != official_id:
        return None
    answers = {
        row.question_id: row
        for row in (
            await session.scalars(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt.id))
        ).all()
    }
    questions = questions_of(attempt)
    reviewed = tuple(
        ReviewedQuestion(
            question,
            answers[question.id].chosen if question.id in answers else None,
            answers[question.id].correct if question.id in answers else False,
        )
        for question in questions
    )
    return Review(attempt, reviewed)


async def latest_rounds(session: AsyncSession, *, official_id: int, limit: int = 5) -> list[QuizAttempt]:
    """The person's newest rounds, weekly and practice, newest first."""
    rows = await session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.official_id == official_id)
        .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc())
        .limit(limit)
    )
    return list(rows.all())


def total_of(attempt: QuizAttempt) -> int:
    return len(question_ids(attempt))
