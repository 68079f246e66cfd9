"""A broadcast after it is confirmed: delivery figures, acknowledgements, the sender's progress message.

Figures are aggregates over the outbox rows of the broadcast (indexed by broadcast_id and status) and
its acknowledgements: one query each, whatever the number of recipients.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.broadcasts.sending import KIND, REMIND_KIND
from compliance.office.accounts import Address
from compliance.office.officials import Actor
from storage.clock import utcnow
from storage.engine import dialect_of
from storage.models import Channel, Official, OfficialStatus, OutboxMessage
from storage.models_broadcast import Broadcast, BroadcastAck, BroadcastFile

ACTIVE = ("scheduled", "sending")


@dataclass(frozen=True)
class ChannelFigures:
    """One channel's share of a broadcast: each person gets one copy, on one channel, so the channels'
    figures add up to the broadcast's."""

    channel: Channel
    total: int
    sent: int
    failed: int  # counted as Progress.failed
    acknowledged: int  # people whose copy went out on this channel and who confirmed (from any channel)


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    failed: int  # given up, or the person blocked the bot
    cancelled: int  # left unsent by a stop
    acknowledged: int
    # In Channel's order; only the channels the broadcast has copies on.
    by_channel: tuple[ChannelFigures, ...] = ()

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.sent - self.failed - self.cancelled)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


async def progress_of(session: AsyncSession, broadcast_ids: Sequence[int]) -> dict[int, Progress]:
    """Figures of each broadcast, and of each channel within it: three aggregate queries (copies grouped
    by broadcast and channel; confirmations joined to the confirming person's copy; confirmations)."""
    if not broadcast_ids:
        return {}
    blocked = and_(OutboxMessage.status == "pending", Official.status == OfficialStatus.UNREACHABLE)
    rows = await session.execute(
        select(
            OutboxMessage.broadcast_id,
            OutboxMessage.channel,
            func.count(),
            _count_if(OutboxMessage.status == "sent"),
            _count_if((OutboxMessage.status == "failed") | blocked),
            _count_if(OutboxMessage.status == "cancelled"),
        )
        .outerjoin(Official, Official.id == OutboxMessage.official_id)
        .where(OutboxMessage.broadcast_id.in_(broadcast_ids), OutboxMessage.kind == KIND)
        .group_by(OutboxMessage.broadcast_id, OutboxMessage.channel)
    )
    per_channel: dict[int, dict[Channel, tuple[int, int, int, int]]] = {}
    for bid, channel, t, s, f, c in rows:
        if bid is None:  # excluded by the filter; for the type checker
            continue
        per_channel.setdefault(bid, {})[Channel(channel)] = (int(t), int(s or 0), int(f or 0), int(c or 0))
    channel_acks = await session.execute(
        select(
            OutboxMessage.broadcast_id,
            OutboxMessage.channel,
            func.count(func.distinct(OutboxMessage.official_id)),
        )
        .join(
            BroadcastAck,
            and_(
                BroadcastAck.broadcast_id == OutboxMessage.broadcast_id,
                BroadcastAck.official_id == OutboxMessage.official_id,
            ),
        )
        .where(OutboxMessage.broadcast_id.in_(broadcast_ids), OutboxMessage.kind == KIND)
        .group_by(OutboxMessage.broadcast_id, OutboxMessage.channel)
    )
    acked_on = {(bid, Channel(channel)): int(n) for bid, channel, n in channel_acks}
    ack_rows = await session.execute(
        select(BroadcastAck.broadcast_id, func.count())
        .where(BroadcastAck.broadcast_id.in_(broadcast_ids))
        .group_by(BroadcastAck.broadcast_id)
    )
    acks = {bid: int(n) for bid, n in ack_rows}
    result = {}
    for bid in broadcast_ids:
        channels = per_channel.get(bid, {})
        by_channel = tuple(
            ChannelFigures(channel, t, s, f, acked_on.get((bid, channel), 0))
            for channel in Channel
            if channel in channels
            for t, s, f, _c in [channels[channel]]
        )
        total, sent, failed, cancelled = (sum(figures[i] for figures in channels.values()) for i in range(4))
        result[bid] = Progress(
            total, sent, failed, cancelled, acknowledged=acks.get(bid, 0), by_channel=by_channel
        )
    return result


@dataclass(frozen=True)
class ProgressView:
    broadcast_id: int
    chat_id: int
    message_id: int
    status: str
    progress: Progress
    locale: str | None  # the sender's


def _shown(status: str, progress: Progress) -> str:
    return f"{status}:{progress.sent}:{progress.failed}:{progress.cancelled}:{progress.total}"


async def advance(session: AsyncSession, *, now: datetime | None = None) -> list[ProgressView]:
    """Move broadcasts along (scheduled → sending → done) and return the progress messages to edit:
    only those whose figures changed since they were last shown."""
    now = now or utcnow()
    broadcasts = (
        await session.scalars(select(Broadcast).where(Broadcast.status.in_(ACTIVE)).with_for_update())
    ).all()
    figures = await progress_of(session, [b.id for b in broadcasts])
    senders = {b.created_by_id for b in broadcasts}
    locale_rows = await session.execute(select(Official.id, Official.locale).where(Official.id.in_(senders)))
    locales = {official_id: locale for official_id, locale in locale_rows}
    views = []
    for broadcast in broadcasts:
        progress = figures[broadcast.id]
        if broadcast.status == "scheduled" and broadcast.send_at <= now:
            broadcast.status = "sending"
        if broadcast.status == "sending" and progress.remaining == 0:
            broadcast.status = "done"
            broadcast.finished_at = now
        shown = _shown(broadcast.status, progress)
        if broadcast.progress_message_id is None or broadcast.progress_chat_id is None:
            continue
        if shown != broadcast.progress_shown:
            broadcast.progress_shown = shown
            views.append(
                ProgressView(
                    broadcast.id,
                    broadcast.progress_chat_id,
                    broadcast.progress_message_id,
                    broadcast.status,
                    progress,
                    locales.get(broadcast.created_by_id),
                )
            )
    return views


async def set_progress_message(
    session: AsyncSession, *, broadcast_id: int, chat_id: int, message_id: int
) -> None:
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is not None:
        broadcast.progress_chat_id = chat_id
        broadcast.progress_message_id = message_id


class AckOutcome(enum.Enum):
    RECORDED = "recorded"
    ALREADY = "already"
    NOT_RECIPIENT = "not_recipient"


@dataclass(frozen=True)
class AckResult:
    outcome: AckOutcome
    acked_at: datetime | None = None


async def acknowledge(
    session: AsyncSession, *, actor: Actor, broadcast_id: int, at: Address, message_id: str
) -> AckResult:
    """Record "received" once. Only the copy this person was sent counts: a press on a forwarded copy,
    or by someone the broadcast never reached, changes nothing. `at` is the chat the pressed copy is in,
    `message_id` the channel's id of that copy."""
    own_copy = await session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.broadcast_id == broadcast_id,
            OutboxMessage.official_id == actor.id,
            OutboxMessage.kind.in_((KIND, REMIND_KIND)),
            OutboxMessage.channel == at.channel,
            OutboxMessage.address == at.address,
            # The outcome is recorded a few milliseconds after the channel answers: an early press finds none.
            (OutboxMessage.channel_message_id == message_id) | OutboxMessage.channel_message_id.is_(None),
        )
    )
    if own_copy is None:
        return AckResult(AckOutcome.NOT_RECIPIENT)
    now = utcnow()
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(BroadcastAck)
        .values(broadcast_id=broadcast_id, official_id=actor.id, acked_at=now)
        .on_conflict_do_nothing(index_elements=["broadcast_id", "official_id"])
    )
    if getattr(result, "rowcount", 0):
        return AckResult(AckOutcome.RECORDED, now)
    acked_at = await session.scalar(
        select(BroadcastAck.acked_at).where(
            BroadcastAck.broadcast_id == broadcast_id, BroadcastAck.official_id == actor.id
        )
    )
    return AckResult(AckOutcome.ALREADY, acked_at)


@dataclass(frozen=True)
class Content:
    """What every copy shows, loaded once per claimed batch rather than stored in each outbox row."""

    text: str
    sender: str
    requires_ack: bool
    attachment_kind: str | None
    attachment_file_id: str | None
    # A document uploaded on the web (compliance.broadcasts.uploads): its bytes, as no channel holds it.
    attachment_name: str | None = None
    attachment_data: bytes | None = None


async def contents(session: AsyncSession, broadcast_ids: Sequence[int]) -> dict[int, Content]:
    if not broadcast_ids:
        return {}
    rows = await session.execute(
        select(
            Broadcast.id,
            Broadcast.text,
            Official.full_name,
            Broadcast.requires_ack,
            Broadcast.attachment_kind,
            Broadcast.attachment_file_id,
            Broadcast.attachment_name,
        )
        .join(Official, Official.id == Broadcast.created_by_id)
        .where(Broadcast.id.in_(broadcast_ids))
    )
    # The name travels with every copy: once a Telegram copy has uploaded the file, the others carry its
    # file_id, and Zalo's link must still say which document it is.
    found = {
        bid: Content(text, sender, ack, kind, file_id, attachment_name=name)
        for bid, text, sender, ack, kind, file_id, name in rows
    }
    stored = [bid for bid, content in found.items() if (content.attachment_file_id or "").startswith("web:")]
    if stored:
        files = await session.execute(
            select(BroadcastFile.broadcast_id, BroadcastFile.name, BroadcastFile.content).where(
                BroadcastFile.broadcast_id.in_(stored)
            )
        )
        for bid, name, data in files:
            if bid is not None:
                found[bid] = replace(found[bid], attachment_name=name, attachment_data=data)
    return found


async def keep_channel_file(session: AsyncSession, *, broadcast_id: int, file_ref: str) -> None:
    """A document uploaded on the web went out once: the channel's id of it (a Telegram file_id) serves
    the copies still to send, instead of the bytes. The stored file stays tied to the broadcast (for the
    pages' downloads); only the first id is kept."""
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.attachment_file_id.startswith("web:"))
        .values(attachment_file_id=file_ref)
    )
