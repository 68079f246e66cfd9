"""Plan updates as their recipient sees them outside the chat (the web pages): which ones reached this
person, and "received" confirmed on their own copy, through the same acknowledgement as the chat button."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.broadcasts.sending import KIND, REMIND_KIND
from compliance.broadcasts.status import AckOutcome, AckResult, acknowledge
from compliance.office.accounts import Address
from compliance.office.officials import Actor
from storage.models import Official, OutboxMessage
from storage.models_broadcast import Broadcast, BroadcastAck


@dataclass(frozen=True)
class Received:
    id: int
    text: str
    sender: str
    received_at: datetime
    requires_ack: bool
    acked_at: datetime | None
    attachment_kind: str | None
    attachment_name: str | None
    attachment_ref: str | None

    @property
    def downloadable(self) -> bool:
        """A document uploaded on the web is kept here (compliance.broadcasts.uploads, "web:<id>"); one sent
        from the chat stays at Telegram and is in the person's chat only."""
        return (self.attachment_ref or "").startswith("web:")


def _own_copies(official_id: int) -> Select[int | None, datetime | None]:
    """The broadcasts whose copy was delivered to this person (a reminder counts as a copy too), with the
    first delivery's time; a copy still waiting to be sent is not received yet."""
    return (
        select(OutboxMessage.broadcast_id, func.min(OutboxMessage.sent_at).label("received_at"))
        .where(
            OutboxMessage.official_id == official_id,
            OutboxMessage.kind.in_((KIND, REMIND_KIND)),
            OutboxMessage.status == "sent",
            OutboxMessage.broadcast_id.is_not(None),
        )
        .group_by(OutboxMessage.broadcast_id)
    )


async def _received(session: AsyncSession, official_id: int, broadcast_id: int | None) -> list[Received]:
    copies = _own_copies(official_id)
    if broadcast_id is not None:
        copies = copies.where(OutboxMessage.broadcast_id == broadcast_id)
    own = copies.subquery()
    rows = await session.execute(
        select(
            Broadcast.id,
            Broadcast.text,
            Official.full_name,
            own.c.received_at,
            Broadcast.requires_ack,
            BroadcastAck.acked_at,
            Broadcast.attachment_kind,
            Broadcast.attachment_name,
            Broadcast.attachment_file_id,
        )
        .join(own, own.c.broadcast_id == Broadcast.id)
        .join(Official, Official.id == Broadcast.created_by_id)
        .outerjoin(
            BroadcastAck,
            (BroadcastAck.broadcast_id == Broadcast.id) & (BroadcastAck.official_id == official_id),
        )
        .order_by(own.c.received_at.desc(), Broadcast.id.desc())
    )
    return [Received(*row) for row in rows]


async def received(session: AsyncSession, *, official_id: int) -> list[Received]:
    """Every plan update delivered to this person, newest first."""
    return await _received(session, official_id, None)


async def received_one(session: AsyncSession, *, official_id: int, broadcast_id: int) -> Received | None:
    """One plan update, only if it was delivered to this person (otherwise None: not theirs to see)."""
    found = await _received(session, official_id, broadcast_id)
    return found[0] if found else None


async def acknowledge_own_copy(session: AsyncSession, *, actor: Actor, broadcast_id: int) -> AckResult:
    """ "Received" from a page: the chat button's acknowledgement, on the copy the person was sent (their
    own chat and message), so it is counted once, the same way, whichever of the two they press."""
    copy = (
        await session.execute(
            select(OutboxMessage.channel, OutboxMessage.address, OutboxMessage.channel_message_id)
            .where(
                OutboxMessage.broadcast_id == broadcast_id,
                OutboxMessage.official_id == actor.id,
                OutboxMessage.kind.in_((KIND, REMIND_KIND)),
                OutboxMessage.status == "sent",
            )
            .order_by(OutboxMessage.id)
            .limit(1)
        )
    ).first()
    if copy is None:
        return AckResult(AckOutcome.NOT_RECIPIENT)
    channel, address, message_id = copy
    return await acknowledge(
        session,
        actor=actor,
        broadcast_id=broadcast_id,
        at=Address(channel, address),
        message_id=message_id or "",
    )
