"""The question the Zalo bot last asked a person, kept in conversation_states (kind "zalo", one row per
Zalo account: handlers.zalo.dialogs.base) until it is answered or expires: personal data while it lasts
(a pledge's confirmation step holds the name the person typed). /mydata shows it; erasure removes it.

Zalo's processed events (compliance.delivery.replicas.take_event) hold only a message id and a time,
linked to no one, and are forgotten after a day: they are not personal data to export or erase.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_pledge import ConversationState

KIND = "zalo"  # conversation_states.kind of the open questions (PTB's rows are "conv:…" and "user_data")
MAX_KEY = 100  # conversation_states.key is String(100)


def conversation_key(zalo_user_id: str) -> str:
    """Zalo's ids are short hex; a longer one is hashed rather than cut (two cut ids could meet)."""
    if len(zalo_user_id) <= MAX_KEY:
        return zalo_user_id
    return hashlib.sha256(zalo_user_id.encode()).hexdigest()


async def open_questions(session: AsyncSession, zalo_user_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Each account's open question as stored (dialog, step, its data, expiry) and when it was asked."""
    keys = {conversation_key(user_id): user_id for user_id in zalo_user_ids}
    if not keys:
        return []
    rows = (
        await session.scalars(
            select(ConversationState)
            .where(ConversationState.kind == KIND, ConversationState.key.in_(keys))
            .order_by(ConversationState.key)
        )
    ).all()
    return [
        {"zalo_account": keys[row.key], "question": row.value.get("v"), "updated_at": row.updated_at}
        for row in rows
    ]


async def forget(session: AsyncSession, zalo_user_ids: Sequence[str]) -> None:
    keys = [conversation_key(user_id) for user_id in zalo_user_ids]
    if keys:
        await session.execute(
            delete(ConversationState).where(ConversationState.kind == KIND, ConversationState.key.in_(keys))
        )
