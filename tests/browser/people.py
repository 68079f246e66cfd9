"""Who is who in the small office (tests/test_reports.py's `office`), for the browser scenarios."""

from __future__ import annotations

from sqlalchemy import select

from storage.engine import Database
from storage.models import Official


async def official_named(database: Database, full_name: str) -> Official:
    async with database.unit_of_work() as session:
        found = await session.scalar(select(Official).where(Official.full_name == full_name))
        assert found is not None, full_name
        return found
