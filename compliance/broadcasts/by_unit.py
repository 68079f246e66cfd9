"""A broadcast's figures unit by unit, and who has not confirmed it, a page at a time (the web's status
page; the chat's detail lists the first names only, compliance.broadcasts.followup)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.broadcasts.followup import _recipients_without_ack
from compliance.broadcasts.sending import KIND, may_manage_broadcast
from compliance.office.officials import Actor
from compliance.text import vietnamese_key, vietnamese_name_key
from storage.models import Official, OfficialStatus, OutboxMessage, Unit
from storage.models_broadcast import Broadcast, BroadcastAck


@dataclass(frozen=True)
class UnitFigures:
    unit_name: str  # "" for the linked groups' chats and people in no unit
    total: int
    sent: int
    failed: int  # counted as compliance.broadcasts.status.progress_of counts it
    acknowledged: int


@dataclass(frozen=True)
class PendingPage:
    rows: list[tuple[str, str]]  # (name, unit name) in Vietnamese order of unit, then name
    total: int


async def _managed(session: AsyncSession, actor: Actor, broadcast_id: int) -> bool:
    broadcast = await session.get(Broadcast, broadcast_id)
    return broadcast is not None and await may_manage_broadcast(session, actor=actor, broadcast=broadcast)


async def unit_figures(session: AsyncSession, *, actor: Actor, broadcast_id: int) -> list[UnitFigures] | None:
    """One aggregate query over the broadcast's outbox rows, grouped by the recipient's unit."""
    if not await _managed(session, actor, broadcast_id):
        return None
    blocked = and_(OutboxMessage.status == "pending", Official.status == OfficialStatus.UNREACHABLE)
    acked = exists().where(
        BroadcastAck.broadcast_id == broadcast_id, BroadcastAck.official_id == OutboxMessage.official_id
    )
    rows = await session.execute(
        select(
            Unit.name,
            func.count(),
            func.sum(case((OutboxMessage.status == "sent", 1), else_=0)),
            func.sum(case(((OutboxMessage.status == "failed") | blocked, 1), else_=0)),
            func.sum(case((acked, 1), else_=0)),
        )
        .select_from(OutboxMessage)
        .outerjoin(Official, Official.id == OutboxMessage.official_id)
        .outerjoin(Unit, Unit.id == Official.unit_id)
        .where(OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.kind == KIND)
        .group_by(Unit.id, Unit.name)
    )
    figures = [
        UnitFigures(name or "", int(total), int(sent or 0), int(failed or 0), int(acks or 0))
        for name, total, sent, failed, acks in rows
    ]
    return sorted(figures, key=lambda f: (f.unit_name == "", vietnamese_key(f.unit_name)))


async def not_acknowledged(
    session: AsyncSession, *, actor: Actor, broadcast_id: int, page: int, per_page: int
) -> PendingPage | None:
    """Delivered and not confirmed, as the chat's detail counts them; sorted in Python, as SQL sorts by code
    points ("Đ" after "Z"), then sliced."""
    if not await _managed(session, actor, broadcast_id):
        return None
    found = (await session.execute(_recipients_without_ack(broadcast_id))).all()
    rows = sorted(found, key=lambda row: (vietnamese_key(row[2] or ""), vietnamese_name_key(row[1]), row[0]))
    start = max(page, 0) * per_page
    return PendingPage([(name, unit or "") for _id, name, unit in rows[start : start + per_page]], len(rows))
