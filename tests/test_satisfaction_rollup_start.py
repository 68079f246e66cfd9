"""The bot catches the satisfaction roll-up up at start (bot.server.roll_up_ratings), in the background:
the days closed while it was stopped are rolled before a head's page needs them, and a failure is logged,
never fatal."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.server import roll_up_ratings
from compliance.feedback.ratings import RatingAnswers, record_rating
from storage.clock import utcnow
from storage.engine import Database
from storage.models_feedback import ReceptionPoint
from storage.models_feedback_rollup import RatingDay
from tests.feedback_desk import office_with_points


async def test_days_closed_before_start_are_rolled_at_start(database: Database) -> None:
    _, codes = await office_with_points(database)
    async with database.unit_of_work() as session:
        point = await session.scalar(select(ReceptionPoint).where(ReceptionPoint.code == codes["office"]))
        assert point is not None
        for days_ago in (3, 3, 2):
            answers = RatingAnswers(overall=5, attitude=4, trips=1, asked_beyond_rules=False)
            moment = utcnow() - timedelta(days=days_ago)
            await record_rating(session, point=point, answers=answers, address_hash="c" * 64, now=moment)
    await roll_up_ratings(database)
    async with database.unit_of_work() as session:
        days = await session.scalar(select(func.count()).select_from(RatingDay))
    assert days == 2


async def test_a_failure_at_start_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = Database(f"sqlite+aiosqlite:///{tmp_path}/never-migrated.db")
    try:
        with caplog.at_level(logging.ERROR, logger="bot.server"):
            await roll_up_ratings(missing)
    finally:
        await missing.dispose()
    assert "roll-up did not catch up at start" in caplog.text
