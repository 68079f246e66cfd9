"""Draining the outbox: claiming due rows under a lease, and recording what happened to each send.

The guarantee (see DESIGN.md): nothing planned is lost; a row whose sender died is taken again when its
lease runs out, so the only duplicate possible is a message a channel accepted just before the crash.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.broadcasts.status import Content, contents
from compliance.office.accounts import Address, mark_blocked
from storage.engine import dialect_of
from storage.models import Channel, Official, OfficialStatus, OutboxMessage

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
# Retries wait 2 s, doubling up to 5 minutes (backoff()): 12 attempts span about 25 minutes, so a Telegram
# outage that long loses nothing, while a message that can never go stops being tried.
MAX_ATTEMPTS = 12
PER_CHAT_GAP = timedelta(seconds=1)
# A dispatcher renews the leases of the rows it holds every third of this: a replica that died lets its
# rows go within one lease, a live one never loses a row to another while a send is slow.
DEFAULT_LEASE = timedelta(seconds=30)


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    channel: Channel
    address: str  # the chat on that channel, as text (a Telegram sender converts it to an integer)
    official_id: int | None
    payload: dict[str, Any]
    attempts: int
    locale: str | None

    @property
    def to(self) -> Address:
        return Address(self.channel, self.address)


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int = 100,
    lease: timedelta = DEFAULT_LEASE,
    channel: Channel | None = None,
) -> list[Claimed]:
    """Take up to `limit` due rows, at most one per chat, skipping officials who blocked the bot.

    `channel`: only that channel's rows (each channel's dispatcher sends its own; None takes every row)."""
    # About one message a second per chat: no second row for a chat with one in flight or just sent.
    chat = tuple_(OutboxMessage.channel, OutboxMessage.address)
    in_flight = select(OutboxMessage.channel, OutboxMessage.address).where(
        or_(
            and_(OutboxMessage.status == SENDING, OutboxMessage.lease_until >= now),
            and_(OutboxMessage.status == SENT, OutboxMessage.sent_at > now - PER_CHAT_GAP),
        )
    )
    due = (
        select(OutboxMessage)
        .outerjoin(Official, Official.id == OutboxMessage.official_id)
        .where(
            or_(
                and_(OutboxMessage.status == PENDING, OutboxMessage.not_before <= now),
                and_(OutboxMessage.status == SENDING, OutboxMessage.lease_until < now),
            ),
            chat.not_in(in_flight),
            or_(Official.id.is_(None), Official.status != OfficialStatus.UNREACHABLE),
            *([OutboxMessage.channel == channel] if channel is not None else []),
        )
        .order_by(OutboxMessage.id)
        .limit(limit * 2)
    )
    if dialect_of(session) == "postgresql":
        # Several dispatchers may run side by side: each skips the rows another has locked.
        due = due.with_for_update(of=OutboxMessage, skip_locked=True)
    rows = (await session.scalars(due)).all()
    chosen: list[OutboxMessage] = []
    chats: set[tuple[str, str]] = set()
    for row in rows:
        if (row.channel, row.address) not in chats and len(chosen) < limit:
            chats.add((row.channel, row.address))
            chosen.append(row)
    locales: dict[int, str | None] = {}
    official_ids = {r.official_id for r in chosen if r.official_id is not None}
    if official_ids:
        result = await session.execute(
            select(Official.id, Official.locale).where(Official.id.in_(official_ids))
        )
        locales = {official_id: locale for official_id, locale in result}
    broadcasts = await contents(session, list({r.broadcast_id for r in chosen if r.broadcast_id}))
    claimed = []
    for row in chosen:
        row.status = SENDING
        row.lease_until = now + lease
        row.attempts += 1
        claimed.append(
            Claimed(
                row.id,
                row.kind,
                row.channel,
                row.address,
                row.official_id,
                _with_content(row, broadcasts),
                row.attempts,
                locales.get(row.official_id) if row.official_id else None,
            )
        )
    await session.flush()
    return claimed


def _with_content(row: OutboxMessage, broadcasts: dict[int, Content]) -> dict[str, Any]:
    payload = dict(row.payload)
    content = broadcasts.get(row.broadcast_id) if row.broadcast_id else None
    if content is not None:
        payload["content"] = asdict(content)
    return payload


async def renew_leases(session: AsyncSession, *, row_ids: list[int], until: datetime) -> int:
    """Extend the lease of rows still being sent by this dispatcher; rows already recorded are left."""
    if not row_ids:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(row_ids), OutboxMessage.status == SENDING)
        .values(lease_until=until)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def mark_sent(
    session: AsyncSession, *, row_id: int, channel_message_id: str | None, now: datetime
) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(
            status=SENT,
            sent_at=now,
            channel_message_id=channel_message_id,
            lease_until=None,
            last_error=None,
        )
    )


async def mark_many_sent(session: AsyncSession, *, sent: list[tuple[int, str | None]], now: datetime) -> None:
    """Record many sends in one statement (an UPDATE by primary key, executed for every row)."""
    if sent:
        await session.execute(
            update(OutboxMessage),
            [
                {
                    "id": row_id,
                    "status": SENT,
                    "sent_at": now,
                    "channel_message_id": message_id,
                    "lease_until": None,
                    "last_error": None,
                }
                for row_id, message_id in sent
            ],
        )


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2**attempts, 300))


async def mark_retry(
    session: AsyncSession,
    *,
    row_id: int,
    attempts: int,
    error: str,
    now: datetime,
    delay: timedelta | None = None,
) -> None:
    """Put a row back for later, or give it up once it has had its attempts; the reason is kept."""
    if attempts >= MAX_ATTEMPTS:
        await mark_failed(session, row_id=row_id, error=f"gave up after {attempts} attempts: {error}")
        return
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(
            status=PENDING,
            not_before=now + (delay or backoff(attempts)),
            lease_until=None,
            last_error=error[:1000],
        )
    )


async def mark_failed(session: AsyncSession, *, row_id: int, error: str) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(status=FAILED, lease_until=None, last_error=error[:1000])
    )


async def mark_unreachable(
    session: AsyncSession, *, row_id: int, official_id: int | None, error: str, to: Address | None = None
) -> None:
    """The person blocked the bot: this row waits, and nothing more goes to them until they write again.
    The account written to (`to`) is marked blocked; the official, as before, unreachable."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(status=PENDING, lease_until=None, last_error=error[:1000])
    )
    if official_id is not None:
        await session.execute(
            update(Official).where(Official.id == official_id).values(status=OfficialStatus.UNREACHABLE)
        )
        if to is not None:
            await mark_blocked(session, official_id=official_id, address=to)
    else:
        await mark_failed(session, row_id=row_id, error=error)
