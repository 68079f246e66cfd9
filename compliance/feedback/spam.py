"""The admins' review of spam among citizens' ratings: recent ratings by point with how many came from
each (hashed) address, and setting a rating aside or restoring it.

A rating set aside is kept, with who set it aside, when and why, and counts in no figure (every report
filters `set_aside_at IS NULL`, and its closed day's roll-up is summed again); restoring it puts it
back. Both are audited. Nothing is ever deleted here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.officials import Actor
from compliance.privacy import audit
from compliance.reports import satisfaction_days
from compliance.text import clean_text
from storage.models import Unit
from storage.models_feedback import CitizenRating, ReceptionPoint

REASON_LONGEST: Final = 200
LISTED_MOST: Final = 200


class ReviewRefused(ValueError):
    pass


@dataclass(frozen=True)
class PointSummary:
    point: ReceptionPoint
    unit: Unit
    ratings: int
    set_aside: int
    addresses: int  # distinct address hashes


@dataclass(frozen=True)
class RatingLine:
    rating: CitizenRating
    point: ReceptionPoint
    unit: Unit
    from_address: int  # ratings of the period from the same address hash (at any point)


@dataclass(frozen=True)
class Review:
    points: list[PointSummary]
    lines: list[RatingLine]
    more: bool  # more ratings in the period than LISTED_MOST


async def review(session: AsyncSession, *, since: datetime, point_id: int | None = None) -> Review:
    """The period's ratings (newest first, at most LISTED_MOST), each with its address's count, and a line
    per point that received any. A fixed number of queries whatever the period holds."""
    in_period = CitizenRating.created_at >= since
    summary_rows = (
        await session.execute(
            select(
                ReceptionPoint,
                Unit,
                func.count(CitizenRating.id),
                func.count(CitizenRating.set_aside_at),
                func.count(func.distinct(CitizenRating.address_hash)),
            )
            .join(ReceptionPoint, ReceptionPoint.id == CitizenRating.point_id)
            .join(Unit, Unit.id == ReceptionPoint.unit_id)
            .where(in_period)
            .group_by(ReceptionPoint.id, Unit.id)
            .order_by(func.count(CitizenRating.id).desc(), ReceptionPoint.id)
        )
    ).all()
    points = [
        PointSummary(p, u, int(n), int(aside), int(addresses)) for p, u, n, aside, addresses in summary_rows
    ]
    by_address = dict(
        (
            await session.execute(
                select(CitizenRating.address_hash, func.count())
                .where(in_period)
                .group_by(CitizenRating.address_hash)
            )
        ).all()
    )
    query = (
        select(CitizenRating, ReceptionPoint, Unit)
        .join(ReceptionPoint, ReceptionPoint.id == CitizenRating.point_id)
        .join(Unit, Unit.id == ReceptionPoint.unit_id)
        .where(in_period)
        .order_by(CitizenRating.created_at.desc(), CitizenRating.id.desc())
        .limit(LISTED_MOST + 1)
    )
    if point_id is not None:
        query = query.where(CitizenRating.point_id == point_id)
    rows = (await session.execute(query)).all()
    lines = [RatingLine(r, p, u, int(by_address.get(r.address_hash, 0))) for r, p, u in rows[:LISTED_MOST]]
    return Review(points, lines, len(rows) > LISTED_MOST)


def clean_reason(text: str) -> str:
    reason = clean_text(text)
    if not reason or len(reason) > REASON_LONGEST:
        raise ReviewRefused(reason)
    return reason


async def set_aside(
    session: AsyncSession, *, ratings: Sequence[CitizenRating], reason: str, actor: Actor, now: datetime
) -> int:
    """Set these ratings aside (those not already), each audited with the reason; how many changed."""
    cleaned = clean_reason(reason)
    changed = 0
    days: set[date] = set()
    for rating in ratings:
        if rating.set_aside_at is not None:
            continue
        rating.set_aside_at, rating.set_aside_by_id, rating.set_aside_reason = now, actor.id, cleaned
        changed += 1
        days.add(satisfaction_days.local_day_of(rating.created_at))
        await audit.record(
            session,
            actor=actor,
            action="feedback.rating.set_aside",
            subject=f"citizen_rating:{rating.id}",
            before={"set_aside": False},
            after={"set_aside": True, "reason": cleaned},
        )
    await session.flush()
    await satisfaction_days.refresh_days(session, days)  # a closed day's sums no longer count them
    return changed


async def restore(session: AsyncSession, *, rating: CitizenRating, actor: Actor) -> bool:
    """Count a set-aside rating again (audited, with the reason it had); False when it was not set aside."""
    if rating.set_aside_at is None:
        return False
    before = {"set_aside": True, "reason": rating.set_aside_reason}
    rating.set_aside_at, rating.set_aside_by_id, rating.set_aside_reason = None, None, None
    await session.flush()
    await satisfaction_days.refresh_days(session, [satisfaction_days.local_day_of(rating.created_at)])
    await audit.record(
        session,
        actor=actor,
        action="feedback.rating.restore",
        subject=f"citizen_rating:{rating.id}",
        before=before,
        after={"set_aside": False},
    )
    return True


async def ratings_from(
    session: AsyncSession, *, point_id: int, address_hash: str, since: datetime
) -> list[CitizenRating]:
    """A point's ratings of the period from one address: a burst to set aside together."""
    return list(
        (
            await session.scalars(
                select(CitizenRating).where(
                    CitizenRating.point_id == point_id,
                    CitizenRating.address_hash == address_hash,
                    CitizenRating.created_at >= since,
                )
            )
        ).all()
    )
