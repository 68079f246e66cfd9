"""Following a broadcast up: the sender's list, who has not acknowledged, reminders, the recipients' file."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.broadcasts.sending import KIND, REMIND_KIND, may_manage_broadcast
from compliance.broadcasts.status import Progress, progress_of
from compliance.delivery.outbox import insert_planned, planned_columns
from compliance.office.officials import Actor
from compliance.practice.calendar import LOCAL_TZ, WorkCalendar
from compliance.privacy import audit
from compliance.privacy.consent import consented
from compliance.text import vietnamese_key, vietnamese_name_key
from storage.models import Official, OfficialStatus, OutboxMessage, Unit
from storage.models_broadcast import Broadcast, BroadcastAck

AUTO_REMIND_AFTER_WORKING_DAYS = 2
# Names listed in the chat per broadcast; the Excel file has everyone.
NAMES_SHOWN = 60


@dataclass(frozen=True)
class BroadcastLine:
    id: int
    created_at: datetime
    send_at: datetime
    status: str
    text: str
    requires_ack: bool
    progress: Progress


async def recent(session: AsyncSession, *, actor: Actor, limit: int = 10) -> list[BroadcastLine]:
    """The latest broadcasts the reader may follow: all for admins, their own for heads."""
    query = select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)
    if not actor.is_admin:
        query = query.where(Broadcast.created_by_id == actor.id)
    rows = (await session.scalars(query)).all()
    figures = await progress_of(session, [b.id for b in rows])
    return [
        BroadcastLine(b.id, b.created_at, b.send_at, b.status, b.text, b.requires_ack, figures[b.id])
        for b in rows
    ]


@dataclass
class UnitPending:
    unit_name: str
    names: list[str] = field(default_factory=list)
    count: int = 0


@dataclass(frozen=True)
class Detail:
    line: BroadcastLine
    pending_by_unit: list[UnitPending]
    not_acknowledged: int


def _recipients_without_ack(broadcast_id: int) -> Select[int, str, str]:
    """Officials sent this broadcast (delivered) who have not pressed "received"."""
    acked = exists().where(
        BroadcastAck.broadcast_id == broadcast_id, BroadcastAck.official_id == OutboxMessage.official_id
    )
    return (
        select(Official.id, Official.full_name, Unit.name)
        .select_from(OutboxMessage)
        .join(Official, Official.id == OutboxMessage.official_id)
        .outerjoin(Unit, Unit.id == Official.unit_id)
        .where(
            OutboxMessage.broadcast_id == broadcast_id,
            OutboxMessage.kind == KIND,
            OutboxMessage.status == "sent",
            ~acked,
        )
    )


async def detail(session: AsyncSession, *, actor: Actor, broadcast_id: int) -> Detail | None:
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None or not await may_manage_broadcast(session, actor=actor, broadcast=broadcast):
        return None
    progress = (await progress_of(session, [broadcast_id]))[broadcast_id]
    line = BroadcastLine(
        broadcast.id,
        broadcast.created_at,
        broadcast.send_at,
        broadcast.status,
        broadcast.text,
        broadcast.requires_ack,
        progress,
    )
    by_unit: dict[str, UnitPending] = {}
    shown = 0
    total = 0
    found = (await session.execute(_recipients_without_ack(broadcast_id))).all()
    # by unit and name the Vietnamese way: in Python, as SQL sorts by code points ("Đ" after "Z")
    rows = sorted(found, key=lambda row: (vietnamese_key(row[2] or ""), vietnamese_name_key(row[1]), row[0]))
    for _official_id, name, unit_name in rows:
        total += 1
        group = by_unit.setdefault(unit_name or "—", UnitPending(unit_name or "—"))
        group.count += 1
        if shown < NAMES_SHOWN:
            group.names.append(name)
            shown += 1
    return Detail(line, list(by_unit.values()), total)


@dataclass(frozen=True)
class RecipientRow:
    name: str
    unit: str
    state: str  # sent | failed | pending | cancelled | unreachable
    sent_at: datetime | None
    acked_at: datetime | None


async def recipient_rows(
    session: AsyncSession, *, actor: Actor, broadcast_id: int
) -> list[RecipientRow] | None:
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None or not await may_manage_broadcast(session, actor=actor, broadcast=broadcast):
        return None
    rows = await session.execute(
        select(
            Official.full_name,
            Unit.name,
            OutboxMessage.status,
            Official.status,
            OutboxMessage.sent_at,
            BroadcastAck.acked_at,
            OutboxMessage.address,
        )
        .select_from(OutboxMessage)
        .outerjoin(Official, Official.id == OutboxMessage.official_id)
        .outerjoin(Unit, Unit.id == Official.unit_id)
        .outerjoin(
            BroadcastAck,
            (BroadcastAck.broadcast_id == broadcast_id)
            & (BroadcastAck.official_id == OutboxMessage.official_id),
        )
        .where(OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.kind == KIND)
    )
    result = []
    # by unit and name the Vietnamese way, the groups' chats (no official) last
    ordered = sorted(
        rows,
        key=lambda row: (
            row[0] is None,
            vietnamese_key(row[1] or ""),
            vietnamese_name_key(row[0] or ""),
            _chat_order(row[6]),
        ),
    )
    for name, unit, status, official_status, sent_at, acked_at, chat_id in ordered:
        state = (
            "unreachable" if status == "pending" and official_status == OfficialStatus.UNREACHABLE else status
        )
        result.append(RecipientRow(name or f"chat {chat_id}", unit or "—", state, sent_at, acked_at))
    return result


def _chat_order(address: str) -> tuple[int, str]:
    # Telegram's group chats are numbers: ordered as numbers, as when the address was an integer column.
    try:
        return int(address), ""
    except ValueError:
        return 0, address


class RemindOutcome(enum.Enum):
    PLANNED = "planned"
    NOTHING_TO_DO = "nothing"  # everyone acknowledged, or all were reminded today already
    NO_ACK = "no_ack"  # this broadcast asks for no acknowledgement
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True)
class RemindResult:
    outcome: RemindOutcome
    planned: int = 0


async def _plan_reminders(session: AsyncSession, *, broadcast_id: int, key_suffix: str) -> int:
    """One reminder row per delivered, unacknowledged recipient, built in SQL; the key makes it once."""
    columns = planned_columns(
        kind=REMIND_KIND,
        key_suffix=key_suffix,
        channel=OutboxMessage.channel,
        address=OutboxMessage.address,
        official_id=Official.id,
        payload={"b": broadcast_id},
        broadcast_id=broadcast_id,
    )
    source = (
        _recipients_without_ack(broadcast_id)
        .with_only_columns(*columns)
        # A copy went to this chat before: someone who withdrew their consent since is not reminded there.
        .where(Official.status == OfficialStatus.ACTIVE, consented())
    )
    return await insert_planned(session, source)


async def remind_now(session: AsyncSession, *, actor: Actor, broadcast_id: int, today: date) -> RemindResult:
    """The sender's "remind them" button: at most once a day per person (the key carries the day)."""
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None or not await may_manage_broadcast(session, actor=actor, broadcast=broadcast):
        return RemindResult(RemindOutcome.NOT_ALLOWED)
    if not broadcast.requires_ack:
        return RemindResult(RemindOutcome.NO_ACK)
    planned = await _plan_reminders(session, broadcast_id=broadcast_id, key_suffix=f"{broadcast_id}:{today}")
    if not planned:
        return RemindResult(RemindOutcome.NOTHING_TO_DO)
    await audit.record(
        session,
        actor=actor,
        action="broadcast.remind",
        subject=f"broadcast:{broadcast_id}",
        after={"reminded": planned, "day": today.isoformat()},
    )
    return RemindResult(RemindOutcome.PLANNED, planned)


def auto_reminder_due(calendar: WorkCalendar, sent_at: datetime) -> datetime:
    """Two working days after the send, at the same local time (sent Friday 10:00 → Tuesday 10:00)."""
    local = sent_at.astimezone(LOCAL_TZ)
    day = local.date()
    counted = 0
    while counted < AUTO_REMIND_AFTER_WORKING_DAYS:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return datetime.combine(day, local.timetz())


async def plan_auto_reminders(session: AsyncSession, *, now: datetime) -> int:
    """The one automatic reminder of broadcasts that ask for acknowledgement; called by the minute tick."""
    candidates: Sequence[Broadcast] = (
        await session.scalars(
            select(Broadcast).where(
                Broadcast.requires_ack.is_(True),
                Broadcast.auto_reminded_at.is_(None),
                Broadcast.status.in_(("sending", "done")),
                Broadcast.send_at <= now,
            )
        )
    ).all()
    if not candidates:
        return 0
    first = min(b.send_at for b in candidates).astimezone(LOCAL_TZ).date()
    today = now.astimezone(LOCAL_TZ).date()
    calendar = await WorkCalendar.load(session, start=first, end=max(today, first) + timedelta(days=31))
    planned = 0
    for broadcast in candidates:
        if auto_reminder_due(calendar, broadcast.send_at) > now:
            continue
        planned += await _plan_reminders(
            session, broadcast_id=broadcast.id, key_suffix=f"{broadcast.id}:auto"
        )
        broadcast.auto_reminded_at = now
    return planned
