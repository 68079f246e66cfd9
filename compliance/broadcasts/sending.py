"""Broadcasts: who a plan update reaches, and creating one (one row plus its outbox rows, one transaction).

The sender's reach bounds everything: an admin reaches the whole office, a head their own unit and the
units below it. The audience is built in SQL (INSERT … SELECT): a province is tens of thousands of people.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.delivery.outbox import enqueue, plan_for_officials
from compliance.office import staff_roll
from compliance.office.accounts import Address, linked
from compliance.office.officials import Actor
from compliance.office.units import is_live, is_within
from compliance.practice.calendar import LOCAL_TZ, parse_day
from compliance.privacy import audit
from compliance.text import clean_text
from storage.clock import utcnow
from storage.models import Official, OfficialStatus, OutboxMessage, Role, Unit
from storage.models_broadcast import Broadcast, UnitGroup

# Telegram's limits, counted in UTF-16 code units as Telegram counts them, less room for our header line.
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
HEADER_ROOM = 200
KIND = "broadcast"
_CLOCK = re.compile(r"^(\d{1,2})[:hH](\d{2})$")
REMIND_KIND = "broadcast_remind"


class TargetKind(enum.StrEnum):
    ALL = "all"
    UNITS = "units"
    HEADS = "heads"
    GROUPS = "groups"


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    unit_ids: tuple[int, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "units": list(self.unit_ids)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Target:
        return cls(TargetKind(data["kind"]), tuple(int(u) for u in data.get("units", [])))


@dataclass(frozen=True)
class Draft:
    """What the composer collected; plain data so it survives a restart in the conversation's storage."""

    text: str
    target: Target
    send_at: datetime
    requires_ack: bool
    attachment_kind: str | None = None
    attachment_file_id: str | None = None
    attachment_name: str | None = None


def parse_send_time(text: str, *, now: datetime) -> datetime | None:
    """ "25/11/2026 08:00" (or "25/11 8:00", or an ISO date and a time) in Viet Nam's time, as UTC; None
    if it is not a date and time, is in the past, or is more than a year ahead."""
    parts = text.strip().split()
    if len(parts) != 2 or not (clock := _CLOCK.match(parts[1])):
        return None
    day = parse_day(parts[0], today=now.astimezone(LOCAL_TZ).date())
    hour, minute = int(clock[1]), int(clock[2])
    if day is None or hour > 23 or minute > 59:
        return None
    moment = datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ).astimezone(UTC)
    if moment <= now or moment > now + timedelta(days=366):
        return None
    return moment


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def text_limit(*, with_attachment: bool) -> int:
    """The longest text a sender may write: a caption is much shorter than a message."""
    return (CAPTION_LIMIT if with_attachment else MESSAGE_LIMIT) - HEADER_ROOM


def clean_broadcast_text(raw: str) -> str:
    """NFC and trimmed, but line breaks kept: a plan update is written in paragraphs."""
    lines = [clean_text(line) for line in raw.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


def may_broadcast(actor: Actor) -> bool:
    return actor.is_admin or (actor.is_head and actor.unit_path is not None)


def reach_path(actor: Actor) -> str | None:
    """The subtree the sender reaches: None is the whole office (admins)."""
    return None if actor.is_admin else actor.unit_path


@dataclass
class UnitsChoice:
    units: list[Unit] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


async def resolve_units(session: AsyncSession, *, actor: Actor, codes: Sequence[str]) -> UnitsChoice:
    """Unit codes typed by the sender, each checked against the sender's reach."""
    choice = UnitsChoice()
    reach = reach_path(actor)
    typed = list(dict.fromkeys(clean_text(c).lower() for c in codes if c.strip()))
    found = {
        u.code: u for u in (await session.scalars(select(Unit).where(Unit.code.in_(typed), is_live()))).all()
    }
    for code in typed:
        unit = found.get(code)
        if unit is None:
            choice.unknown.append(code)
        elif reach is not None and not is_within(unit.path, reach):
            choice.outside.append(code)
        else:
            choice.units.append(unit)
    return choice


async def _paths(session: AsyncSession, unit_ids: Sequence[int]) -> list[str]:
    if not unit_ids:
        return []
    return list((await session.scalars(select(Unit.path).where(Unit.id.in_(unit_ids)))).all())


def _under(paths: Sequence[str]) -> ColumnElement[bool]:
    return or_(*(Unit.path.startswith(p) for p in paths))


async def _official_audience(
    session: AsyncSession, target: Target, reach: str | None
) -> ColumnElement[bool] | None:
    """The officials a target means, within reach; None when the target is groups, not people. Only people
    on a staff list: an admin of ADMIN_IDS in no unit is no recipient (compliance.office.staff_roll)."""
    if target.kind is TargetKind.GROUPS:
        return None
    conditions: list[ColumnElement[bool]] = [staff_roll.within(None)]
    if reach is not None:
        conditions.append(Official.unit_id.in_(select(Unit.id).where(Unit.path.startswith(reach))))
    if target.kind is TargetKind.UNITS:
        paths = await _paths(session, target.unit_ids)
        conditions.append(Official.unit_id.in_(select(Unit.id).where(_under(paths))) if paths else ~true())
    if target.kind is TargetKind.HEADS:
        conditions.append(Official.role == Role.HEAD)
    return and_(true(), *conditions)


async def _groups(session: AsyncSession, target: Target, reach: str | None) -> list[int]:
    if target.kind is not TargetKind.GROUPS:
        return []
    query = select(UnitGroup.chat_id).join(Unit, Unit.id == UnitGroup.unit_id)
    if reach is not None:
        query = query.where(Unit.path.startswith(reach))
    return list((await session.scalars(query.order_by(UnitGroup.chat_id))).all())


async def count_recipients(session: AsyncSession, *, actor: Actor, target: Target) -> int:
    """How many chats a broadcast would reach now: shown in the preview before confirming."""
    reach = reach_path(actor)
    audience = await _official_audience(session, target, reach)
    if audience is None:
        return len(await _groups(session, target, reach))
    reachable = select(func.count(Official.id)).where(audience, staff_roll.staff_recipient())
    return int(await session.scalar(reachable) or 0)


async def count_not_joined(session: AsyncSession, *, actor: Actor, target: Target) -> int:
    """How many officials a target means will not receive it: on the staff list but not (or no longer)
    reachable in the bot. Shown to the sender, so the office can chase them."""
    return await _not_joined(session, target, reach_path(actor))


async def count_not_joined_of(session: AsyncSession, broadcast: Broadcast) -> int:
    """The same count for a broadcast already sent, within the reach it was composed with; as of now (who
    has joined since is no longer counted)."""
    reach = None
    if broadcast.scope_unit_id is not None:
        reach = await session.scalar(select(Unit.path).where(Unit.id == broadcast.scope_unit_id))
        if reach is None:  # the sender's unit is gone: nobody is within that reach any more
            return 0
    return await _not_joined(session, Target.from_json(broadcast.target), reach)


async def _not_joined(session: AsyncSession, target: Target, reach: str | None) -> int:
    audience = await _official_audience(session, target, reach)
    if audience is None:
        return 0
    unreached = or_(~linked(), Official.status != OfficialStatus.ACTIVE)
    query = select(func.count(Official.id)).where(audience, Official.status != OfficialStatus.LEFT, unreached)
    return int(await session.scalar(query) or 0)


async def made_from_draft(session: AsyncSession, *, actor: Actor, draft_key: str) -> Broadcast | None:
    """The broadcast this sender already made from the form with that key (a confirm sent twice)."""
    query = select(Broadcast).where(Broadcast.draft_key == draft_key, Broadcast.created_by_id == actor.id)
    return (await session.scalars(query)).first()


async def create(
    session: AsyncSession, *, actor: Actor, draft: Draft, draft_key: str | None = None
) -> Broadcast:
    """The broadcast row and one outbox row per recipient, in the caller's transaction."""
    now = utcnow()
    send_at = max(draft.send_at, now)
    broadcast = Broadcast(
        created_by_id=actor.id,
        scope_unit_id=None if actor.is_admin else actor.unit_id,
        text=draft.text,
        attachment_kind=draft.attachment_kind,
        attachment_file_id=draft.attachment_file_id,
        attachment_name=draft.attachment_name,
        target=draft.target.as_json(),
        requires_ack=draft.requires_ack,
        send_at=send_at,
        status="scheduled" if send_at > now else "sending",
        created_at=now,
        draft_key=draft_key,
    )
    session.add(broadcast)
    await session.flush()
    reach = reach_path(actor)
    audience = await _official_audience(session, draft.target, reach)
    payload = {"b": broadcast.id}
    total = 0
    if audience is not None:
        total = await plan_for_officials(
            session,
            kind=KIND,
            key_suffix=str(broadcast.id),
            payload=payload,
            audience=audience,
            not_before=send_at,
            broadcast_id=broadcast.id,
        )
    for chat_id in await _groups(session, draft.target, reach):
        total += await enqueue(
            session,
            dedupe_key=f"{KIND}:g{chat_id}:{broadcast.id}",
            kind=KIND,
            to=Address.telegram(chat_id),
            payload={**payload, "g": 1},
            not_before=send_at,
            broadcast_id=broadcast.id,
        )
    broadcast.total = total
    await audit.record(
        session,
        actor=actor,
        action="broadcast.create",
        subject=f"broadcast:{broadcast.id}",
        after={
            "target": draft.target.as_json(),
            "recipients": total,
            "send_at": send_at.isoformat(),
            "requires_ack": draft.requires_ack,
            "attachment": draft.attachment_name,
        },
    )
    return broadcast


async def may_manage_broadcast(session: AsyncSession, *, actor: Actor, broadcast: Broadcast) -> bool:
    """Admins manage every broadcast; a head the ones they sent."""
    return actor.is_admin or broadcast.created_by_id == actor.id


class StopOutcome(enum.Enum):
    STOPPED = "stopped"
    CANCELLED = "cancelled"  # it had not started: nothing was sent
    ALREADY_OVER = "already_over"
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True)
class StopResult:
    outcome: StopOutcome
    unsent: int = 0


async def stop(session: AsyncSession, *, actor: Actor, broadcast_id: int) -> StopResult:
    """Cancel a scheduled broadcast, or stop a started one: what is not sent yet stays unsent."""
    broadcast = await session.get(Broadcast, broadcast_id, with_for_update=True)
    if broadcast is None or not await may_manage_broadcast(session, actor=actor, broadcast=broadcast):
        return StopResult(StopOutcome.NOT_ALLOWED)
    if broadcast.status not in ("scheduled", "sending"):
        return StopResult(StopOutcome.ALREADY_OVER)
    now = utcnow()
    started = broadcast.send_at <= now
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.broadcast_id == broadcast_id,
            OutboxMessage.kind == KIND,
            OutboxMessage.status == "pending",
        )
        .values(status="cancelled", last_error="stopped by the sender")
    )
    unsent = int(getattr(result, "rowcount", 0) or 0)
    before = broadcast.status
    broadcast.status = "stopped" if started else "cancelled"
    broadcast.finished_at = now
    await audit.record(
        session,
        actor=actor,
        action="broadcast.stop" if started else "broadcast.cancel",
        subject=f"broadcast:{broadcast_id}",
        before={"status": before},
        after={"status": broadcast.status, "unsent": unsent},
    )
    return StopResult(StopOutcome.STOPPED if started else StopOutcome.CANCELLED, unsent)
