"""An official's own card in /report: their signature, self-checks and weekly quiz scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.pledge.signing import versions_by_unit
from storage.models import Unit
from storage.models_pledge import Signature
from storage.models_practice import QuizAttempt, SelfCheck


@dataclass(frozen=True)
class OwnCard:
    signed_at: datetime | None
    checks: list[tuple[date, str]]  # the last weeks' self-check statuses, newest first
    quizzes: list[tuple[date, int, int]]  # week, score, answered
    on_time_streak: int


async def own_card(session: AsyncSession, *, official_id: int, unit: Unit | None, weeks: int = 8) -> OwnCard:
    """An official's own report: signature of the current version, self-checks, weekly quiz scores."""
    version = (await versions_by_unit(session)).for_unit(unit.id if unit else None)
    signed_at = None
    if version is not None:
        signed_at = await session.scalar(
            select(Signature.signed_at).where(
                Signature.official_id == official_id,
                Signature.pledge_version_id == version.id,
                Signature.on_behalf_of_unit.is_(False),
            )
        )
    checks = [
        (week, status)
        for week, status in (
            await session.execute(
                select(SelfCheck.week, SelfCheck.status)
                .where(SelfCheck.official_id == official_id)
                .order_by(SelfCheck.week.desc())
                .limit(weeks)
            )
        ).all()
    ]
    quizzes = [
        (week, score, answered)
        for week, score, answered in (
            await session.execute(
                select(QuizAttempt.week, QuizAttempt.score, QuizAttempt.answered)
                .where(
                    QuizAttempt.official_id == official_id,
                    QuizAttempt.practice.is_(False),
                    QuizAttempt.week.is_not(None),
                )
                .order_by(QuizAttempt.week.desc())
                .limit(weeks)
            )
        ).all()
        if week is not None
    ]
    streak = 0
    for _, status in checks:
        if status == "open":
            continue
        if status != "done":
            break
        streak += 1
    return OwnCard(signed_at, checks, quizzes, streak)
