"""The audit log: every admin and head action, with who, what, when, and the state before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.officials import Actor
from storage.models_broadcast import AuditEntry
from storage.types import utcnow


async def record(
    session: AsyncSession,
    *,
    actor: Actor | None,
    action: str,
    subject: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Written in the caller's transaction, so an action and its audit line are kept or dropped together.

    `actor` None means the command line. `subject` names the object ("unit:12", "broadcast:3").
    """
    session.add(
        AuditEntry(
            at=utcnow(),
            actor_id=actor.id if actor else None,
            actor_label=actor.full_name if actor else "cli",
            action=action,
            subject=subject,
            before=before,
            after=after,
        )
    )


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    action: str
    subject: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


async def latest(
    session: AsyncSession, *, since: datetime | None = None, limit: int | None = 20
) -> list[AuditLine]:
    """Newest first when limited (the chat's /audit); oldest first for a period (the command line)."""
    query = select(AuditEntry)
    if since is not None:
        query = query.where(AuditEntry.at >= since).order_by(AuditEntry.id)
    else:
        query = query.order_by(AuditEntry.id.desc())
    if limit is not None:
        query = query.limit(limit)
    rows = (await session.scalars(query)).all()
    return [AuditLine(r.at, r.actor_label, r.action, r.subject, r.before, r.after) for r in rows]
