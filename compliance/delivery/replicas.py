"""What lets several replicas share one database: each update taken once, and the service's health."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.delivery.claims import PENDING, SENDING
from storage.clock import utcnow
from storage.engine import dialect_of
from storage.models import OutboxMessage
from storage.models_replicas import ProcessedUpdate
from storage.models_zalo import ProcessedEvent

# Telegram keeps an undelivered update, and retries its webhook call, for at most 24 hours.
KEEP_PROCESSED = timedelta(days=2)


async def claim_update(session: AsyncSession, *, update_id: int, now: datetime | None = None) -> bool:
    """Record the update as taken, in the update's own transaction; False if it was taken already.

    On PostgreSQL, a second replica inserting the same id while the first transaction is open waits for
    it: if it commits, this returns False; if it rolls back (the update failed), this one takes it.
    """
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(ProcessedUpdate)
        .values(update_id=update_id, processed_at=now or utcnow())
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    return bool(getattr(result, "rowcount", 0))


async def forget_processed(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Delete the ids older than the retry window: no copy of those updates can arrive any more."""
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < (now or utcnow()) - KEEP_PROCESSED)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def take_event(
    session: AsyncSession, *, channel: str, event_id: str, now: datetime | None = None
) -> bool:
    """Record a channel's inbound event (Zalo's message id) as taken; False if it was taken already.

    Zalo's getUpdates may return one message twice, and a webhook call may be retried on another replica:
    the second copy finds the row. As claim_update, on PostgreSQL a copy racing an open transaction waits
    for it and is taken only if that transaction rolls back."""
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(ProcessedEvent)
        .values(channel=channel, event_id=event_id, processed_at=now or utcnow())
        .on_conflict_do_nothing(index_elements=["channel", "event_id"])
    )
    return bool(getattr(result, "rowcount", 0))


async def release_event(session: AsyncSession, *, channel: str, event_id: str) -> None:
    """Forget an event whose handling failed after it was taken, so that a repeat of it is handled."""
    await session.execute(
        delete(ProcessedEvent).where(ProcessedEvent.channel == channel, ProcessedEvent.event_id == event_id)
    )


async def forget_events(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Delete events older than the window in which a copy may still come (as for Telegram's updates)."""
    result = await session.execute(
        delete(ProcessedEvent).where(ProcessedEvent.processed_at < (now or utcnow()) - KEEP_PROCESSED)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def outbox_backlog(session: AsyncSession) -> int:
    """Messages planned and not yet sent (waiting, or in a sender's hands)."""
    count = await session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status.in_((PENDING, SENDING)))
    )
    return int(count or 0)
