"""Files reachable by a link that is its own key (/f/<token>): how a channel without files reaches people.

Zalo carries text and pictures by URL only. A picture (the head's chart) is fetched by Zalo's servers from
our web server, more than once and days later (an image gone after the first fetch shows black), and a
document (a plan update's PDF, a receipt) is a link the reader opens. So each gets a random token, valid
for DEFAULT_LIFETIME, made for one recipient; only its SHA-256 is stored.

A broadcast's uploaded document is referenced, never copied: one plan update to 10 000 people stores one
PDF and 10 000 small rows, one per recipient, so a link forwarded outside the office names whose it was
and expires with it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_broadcast import BroadcastFile
from storage.models_files import SharedFile

Kind = Literal["photo", "document"]
PHOTO: Kind = "photo"
DOCUMENT: Kind = "document"
# Zalo refetches a picture when a chat is opened again; the issue asks ≥ 7 days, two weeks leaves room.
DEFAULT_LIFETIME = timedelta(days=14)
# 24 random bytes: 192 bits, 32 URL-safe characters; anything longer in a URL is no token of ours.
TOKEN_BYTES = 24
TOKEN_MAX_LENGTH = 64


@dataclass(frozen=True, slots=True)
class Opened:
    name: str
    media_type: str
    kind: Kind
    content: bytes


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def share(
    session: AsyncSession,
    *,
    content: bytes | None = None,
    broadcast_file_id: int | None = None,
    name: str = "",
    media_type: str = "",
    kind: Kind,
    official_id: int | None,
    now: datetime,
    lifetime: timedelta = DEFAULT_LIFETIME,
) -> str | None:
    """A new token for the bytes given, or for a stored broadcast document (its name and type are the
    stored ones unless given). None when that document does not exist (any more)."""
    if (content is None) == (broadcast_file_id is None):
        raise ValueError("share needs exactly one of content and broadcast_file_id")
    size = len(content) if content is not None else 0
    if broadcast_file_id is not None:
        stored = (
            await session.execute(
                select(BroadcastFile.name, BroadcastFile.media_type, BroadcastFile.size).where(
                    BroadcastFile.id == broadcast_file_id
                )
            )
        ).first()
        if stored is None:
            return None
        name, media_type, size = name or stored.name, media_type or stored.media_type, stored.size
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        SharedFile(
            token_hash=_hash(token),
            official_id=official_id,
            kind=kind,
            name=name or "document",
            media_type=media_type or "application/octet-stream",
            size=size,
            content=content,
            broadcast_file_id=broadcast_file_id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    # Written before the link leaves: Zalo fetches a picture while sendPhoto is still answering.
    await session.flush()
    return token


async def broadcast_file_of(session: AsyncSession, broadcast_id: int) -> int | None:
    """The stored document of a broadcast uploaded on the web (None: no document, or one sent in the chat,
    which lives at Telegram and cannot be linked)."""
    return await session.scalar(select(BroadcastFile.id).where(BroadcastFile.broadcast_id == broadcast_id))


async def open_shared(session: AsyncSession, *, token: str, now: datetime) -> Opened | None:
    """The file behind a token, or None when the token is unknown or expired."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    found = (
        await session.execute(
            select(SharedFile, BroadcastFile.content)
            .outerjoin(BroadcastFile, BroadcastFile.id == SharedFile.broadcast_file_id)
            .where(SharedFile.token_hash == _hash(token))
        )
    ).first()
    if found is None:
        return None
    shared, referenced = found
    if shared.expires_at <= now:
        return None
    content = shared.content if shared.content is not None else referenced
    if content is None:
        return None
    kind: Kind = PHOTO if shared.kind == PHOTO else DOCUMENT
    return Opened(shared.name, shared.media_type, kind, content)


async def forget_expired(session: AsyncSession, *, now: datetime) -> int:
    """Delete the links that have expired (a job runs this): their bytes go with them."""
    result = await session.execute(delete(SharedFile).where(SharedFile.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)


async def forget_for(session: AsyncSession, *, official_id: int) -> int:
    """Delete every link made for this person (erasure: a receipt or a data export may be behind one)."""
    result = await session.execute(delete(SharedFile).where(SharedFile.official_id == official_id))
    return int(getattr(result, "rowcount", 0) or 0)
