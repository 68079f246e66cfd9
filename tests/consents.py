"""Consent for seeded people: most tests link an official and then act, as someone who already answered
the privacy notice would. Tests of the notice itself start without one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.privacy.consent import current_version, has_current
from storage.engine import Database
from storage.models import AccountStatus, ChannelAccount, Official
from storage.models_consent import Consent


async def agree(session: AsyncSession, official_id: int, channel: str = "telegram") -> None:
    """The official holds a consent to the current notice (recorded once)."""
    if not await has_current(session, official_id):
        session.add(Consent(official_id=official_id, notice_version=current_version(), channel=channel))
        await session.flush()


async def agree_all_linked(session: AsyncSession) -> None:
    """Everyone linked on some channel holds a consent (an admin from ADMIN_IDS is linked on first use)."""
    linked = (
        await session.scalars(
            select(Official.id)
            .join(ChannelAccount, ChannelAccount.official_id == Official.id)
            .where(ChannelAccount.status != AccountStatus.UNLINKED)
            .distinct()
        )
    ).all()
    for official_id in linked:
        await agree(session, official_id)


async def agree_in(database: Database, official_id: int, channel: str = "web") -> None:
    async with database.unit_of_work() as session:
        await agree(session, official_id, channel)
