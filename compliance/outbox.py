"""Planning outgoing messages: one outbox row per message, idempotent through its dedupe key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.engine import dialect_of
from storage.models import OutboxMessage
from storage.types import utcnow


async def enqueue(
    session: AsyncSession,
    *,
    dedupe_key: str,
    kind: str,
    chat_id: int,
    payload: dict[str, Any],
    official_id: int | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Plan one message in the caller's transaction; returns False if that key was planned already."""
    values = {
        "dedupe_key": dedupe_key,
        "kind": kind,
        "chat_id": chat_id,
        "official_id": official_id,
        "payload": payload,
        "status": "pending",
        "not_before": not_before or utcnow(),
        "attempts": 0,
        "created_at": utcnow(),
    }
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    statement = insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))
