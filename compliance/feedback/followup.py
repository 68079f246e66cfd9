"""The head's follow-up of a flagged rating (issue 16). Placeholder of the interface: its owner (the
follow-up work) replaces the body with the head's notice through the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_feedback import CitizenRating


async def rating_recorded(session: AsyncSession, rating: CitizenRating, *, now: datetime) -> None:
    """Called by record_rating after each stored rating, in its transaction."""
    return None
