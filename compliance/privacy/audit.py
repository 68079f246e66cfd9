"""The audit log: every admin and head action, with who, what, when, and the state before and after."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.officials import Actor
from storage.clock import LOCAL_TZ, utcnow
from storage.models import Unit
from storage.models_broadcast import AuditEntry
from storage.models_pledge import PledgeVersion


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


def start_of_local_day(day: date) -> datetime:
    """Midnight of `day` in Viet Nam, in UTC: "since 01/03" means since the office's morning."""
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC)


def as_json(value: Any) -> str:
    """One line of JSON, Vietnamese as it is, keys in a stable order."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class Change:
    key: str
    before: Any
    after: Any
    had_before: bool
    has_after: bool


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The keys whose value differs between before and after, in the order they were written."""
    old, new = before or {}, after or {}
    keys = list(dict.fromkeys([*old, *new]))
    return [
        Change(key, old.get(key), new.get(key), key in old, key in new)
        for key in keys
        if key not in old or key not in new or old[key] != new[key]
    ]


async def subject_names(session: AsyncSession, lines: list[AuditLine]) -> dict[str, str]:
    """What the subjects of these entries are called now: "unit:12" -> "Văn phòng", "pledge_version:3" ->
    "hn-2". Two queries whatever the number of lines; a subject that is gone keeps its number."""
    refs: dict[str, set[int]] = {"unit": set(), "pledge_version": set()}
    for line in lines:
        kind, _sep, ref = line.subject.partition(":")
        if kind in refs and ref.isdigit():
            refs[kind].add(int(ref))
    names: dict[str, str] = {}
    if refs["unit"]:
        units = await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(refs["unit"])))
        names.update({f"unit:{unit_id}": name for unit_id, name in units.all()})
    if refs["pledge_version"]:
        versions = await session.execute(
            select(PledgeVersion.id, PledgeVersion.code, PledgeVersion.version).where(
                PledgeVersion.id.in_(refs["pledge_version"])
            )
        )
        names.update({f"pledge_version:{vid}": f"{code}-{number}" for vid, code, number in versions.all()})
    return names


@dataclass(frozen=True)
class AuditFilter:
    """What the web's audit page narrows the log to; every field optional."""

    action: str | None = None
    actor: str | None = None  # part of the actor's name as written in the entry ("cli" for the command line)
    start: date | None = None  # Viet Nam days, both ends included
    end: date | None = None


async def search(
    session: AsyncSession, where: AuditFilter, *, page: int = 0, per_page: int = 50
) -> tuple[list[AuditLine], int]:
    """One page of the entries matching `where`, newest first, and how many match in all."""
    conditions = []
    if where.action:
        conditions.append(AuditEntry.action == where.action)
    if where.actor:
        conditions.append(func.lower(AuditEntry.actor_label).contains(where.actor.lower(), autoescape=True))
    if where.start is not None:
        conditions.append(AuditEntry.at >= start_of_local_day(where.start))
    if where.end is not None:
        conditions.append(AuditEntry.at < start_of_local_day(where.end + timedelta(days=1)))
    total = await session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
    rows = (
        await session.scalars(
            select(AuditEntry)
            .where(*conditions)
            .order_by(AuditEntry.id.desc())
            .offset(max(page, 0) * per_page)
            .limit(per_page)
        )
    ).all()
    lines = [AuditLine(r.at, r.actor_label, r.action, r.subject, r.before, r.after) for r in rows]
    return lines, int(total or 0)


async def actions_used(session: AsyncSession) -> list[str]:
    """The actions the log holds, for a filter's choices."""
    return sorted((await session.scalars(select(AuditEntry.action).distinct())).all())
