"""Planning outgoing messages: one outbox row per message, idempotent through its dedupe key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from compliance.office.accounts import Address, delivery_account
from compliance.privacy.consent import consented
from storage.clock import utcnow
from storage.engine import dialect_of
from storage.models import ChannelAccount, Official, OfficialStatus, OutboxMessage


async def enqueue(
    session: AsyncSession,
    *,
    dedupe_key: str,
    kind: str,
    to: Address,
    payload: dict[str, Any],
    official_id: int | None = None,
    not_before: datetime | None = None,
    broadcast_id: int | None = None,
) -> bool:
    """Plan one message in the caller's transaction; returns False if that key was planned already."""
    values = {
        "dedupe_key": dedupe_key,
        "kind": kind,
        "channel": to.channel,
        "address": to.address,
        "official_id": official_id,
        "broadcast_id": broadcast_id,
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


OUTBOX_COLUMNS = (
    "dedupe_key",
    "kind",
    "channel",
    "address",
    "official_id",
    "broadcast_id",
    "payload",
    "status",
    "not_before",
    "attempts",
    "created_at",
)


def planned_columns(
    *,
    kind: str,
    key_suffix: str,
    channel: QueryableAttribute[Any],
    address: QueryableAttribute[Any],
    official_id: QueryableAttribute[Any],
    payload: dict[str, Any],
    not_before: datetime | None = None,
    broadcast_id: int | None = None,
) -> list[ColumnElement[Any] | QueryableAttribute[Any]]:
    """The columns of a SELECT that plans outbox rows (OUTBOX_COLUMNS' order), for any FROM and WHERE.
    Dedupe key: "<kind>:<official id>:<suffix>"."""
    now = utcnow()
    return [
        literal(f"{kind}:") + cast(official_id, String) + literal(f":{key_suffix}"),
        literal(kind),
        channel,
        address,
        official_id,
        literal(broadcast_id, type_=OutboxMessage.broadcast_id.type),
        literal(payload, type_=OutboxMessage.payload.type),
        literal("pending"),
        literal(not_before or now, type_=OutboxMessage.not_before.type),
        literal(0),
        literal(now, type_=OutboxMessage.created_at.type),
    ]


async def insert_planned(session: AsyncSession, source: Select[Any]) -> int:
    """INSERT … SELECT of planned rows, skipping keys planned already; returns how many rows are new."""
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    statement = (
        insert(OutboxMessage)
        .from_select(list(OUTBOX_COLUMNS), source)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


async def plan_for_officials(
    session: AsyncSession,
    *,
    kind: str,
    key_suffix: str,
    payload: dict[str, Any],
    audience: ColumnElement[bool],
    not_before: datetime | None = None,
    broadcast_id: int | None = None,
) -> int:
    """One row per official matching `audience` who can be reached and consented, built in SQL (a province
    is tens of thousands of people: no row is built in Python), to the account each used last."""
    columns = planned_columns(
        kind=kind,
        key_suffix=key_suffix,
        channel=ChannelAccount.channel,
        address=ChannelAccount.chat_id,
        official_id=Official.id,
        payload=payload,
        not_before=not_before,
        broadcast_id=broadcast_id,
    )
    source = (
        select(*columns)
        .select_from(Official)
        .join(ChannelAccount, delivery_account())
        # Nobody is written to on the bot's own initiative without a current consent (Luật 91/2025/QH15).
        .where(audience, Official.status == OfficialStatus.ACTIVE, consented())
    )
    return await insert_planned(session, source)
