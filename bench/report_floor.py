"""The floor under the report: one plain aggregate query per table the report reads, over the same rows
(the weeks and days of the period and the one before it, everyone on every list), each aggregating a
column the report needs so the rows themselves are read, not only an index. What no report built on these
tables can go below on this machine and engine; the report's time is printed against it."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office import staff_roll
from compliance.reports.period import Period
from compliance.reports.rollup import due_weeks
from storage.models import Official, Unit
from storage.models_pledge import PledgeVersion, Signature
from storage.models_practice import DailyReminder, QuizAttempt, SelfCheck, SelfCheckAnswer


def floor_queries(period: Period) -> dict[str, Any]:
    periods = [period, period.previous()]
    weeks = sorted({week for p in periods for week in due_weeks(p, staff_roll.cutoff(p))})
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    return {
        "units": select(func.count(Unit.path)),
        "officials": select(func.count(Official.unit_id), func.max(Official.created_at)),
        "pledge_versions": select(func.count(PledgeVersion.published_at)),
        "signatures": select(func.count(Signature.signed_at)),
        "self_checks": select(func.count(SelfCheck.status)).where(SelfCheck.week.in_(weeks)),
        "self_check_answers": select(func.sum(SelfCheckAnswer.score))
        .join(SelfCheck, SelfCheck.id == SelfCheckAnswer.self_check_id)
        .where(SelfCheck.week.in_(weeks)),
        "quiz_attempts": select(func.sum(QuizAttempt.score)).where(QuizAttempt.week.in_(weeks)),
        "daily_reminders": select(func.count(DailyReminder.read_at)).where(
            DailyReminder.day.between(first, last)
        ),
    }


async def measure_floor(session: AsyncSession, period: Period) -> tuple[float, list[tuple[str, float]]]:
    """The floor's total seconds, and each table's."""
    connection = await session.connection()
    timings = []
    for table, query in floor_queries(period).items():
        started = time.perf_counter()
        (await connection.execute(query)).all()
        timings.append((table, time.perf_counter() - started))
    return sum(seconds for _, seconds in timings), timings
