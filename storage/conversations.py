"""Rows behind python-telegram-bot's persistence: conversation states and user_data, as JSON."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import utcnow
from storage.models_pledge import ConversationState


async def load_all(session: AsyncSession, kind: str) -> dict[str, Any]:
    rows = (await session.scalars(select(ConversationState).where(ConversationState.kind == kind))).all()
    return {row.key: row.value.get("v") for row in rows}


async def save(session: AsyncSession, kind: str, key: str, value: Any) -> None:
    """Store a value (None removes the row): the newest write for a key wins."""
    row = await session.scalar(
        select(ConversationState).where(ConversationState.kind == kind, ConversationState.key == key)
    )
    if value is None:
        if row is not None:
            await session.delete(row)
        return
    if row is None:
        session.add(ConversationState(kind=kind, key=key, value={"v": value}, updated_at=utcnow()))
    elif row.value != {"v": value}:
        # PTB hands back every user's data after each of their updates: unchanged data is not rewritten,
        # so an update that was refused changes no row.
        row.value = {"v": value}
        row.updated_at = utcnow()


async def remove(session: AsyncSession, kind: str, key: str) -> None:
    await session.execute(
        delete(ConversationState).where(ConversationState.kind == kind, ConversationState.key == key)
    )
