"""Join requests waiting for a decision, as a head or an admin lists them (/pending)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.officials import Actor
from compliance.text import vietnamese_name_key
from storage.models import JoinRequest, JoinRequestStatus, Unit

PENDING_LIST_LIMIT = 20


@dataclass(frozen=True)
class PendingRequest:
    id: int
    full_name: str
    display_name: str
    unit_name: str
    created_at: datetime


async def pending_requests(
    session: AsyncSession, *, actor: Actor, limit: int = PENDING_LIST_LIMIT
) -> tuple[list[PendingRequest], int]:
    """Join requests waiting for a decision that this actor may take (admins: all; heads: their subtree):
    the newest `limit` of them, listed by name the Vietnamese way, and how many there are in all."""
    reach = [JoinRequest.status == JoinRequestStatus.PENDING]
    if not actor.is_admin:
        if not actor.is_head or actor.unit_path is None:
            return [], 0
        reach.append(Unit.path.startswith(actor.unit_path))
    total = await session.scalar(
        select(func.count()).select_from(JoinRequest).join(Unit, Unit.id == JoinRequest.unit_id).where(*reach)
    )
    rows = await session.execute(
        select(
            JoinRequest.id,
            JoinRequest.full_name,
            JoinRequest.display_name,
            Unit.name,
            JoinRequest.created_at,
        )
        .join(Unit, Unit.id == JoinRequest.unit_id)
        .where(*reach)
        .order_by(JoinRequest.created_at.desc(), JoinRequest.id.desc())
        .limit(limit)
    )
    shown = [
        PendingRequest(request_id, full_name or "", display_name, unit_name, created_at)
        for request_id, full_name, display_name, unit_name, created_at in rows.all()
    ]
    shown.sort(
        key=lambda request: (vietnamese_name_key(request.full_name or request.display_name), request.id)
    )
    return shown, int(total or 0)
