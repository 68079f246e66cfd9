"""The lists beside the satisfaction figures on the heads' pages: the newest ratings meeting a condition
(the flagged ones, those with a comment) of a subtree and period, found by id first so that a whole
office's year (a million rows) is not joined row by row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.reports.satisfaction_read import counted
from storage.engine import dialect_of
from storage.models import Unit
from storage.models_feedback import CitizenRating, ReceptionPoint


@dataclass(frozen=True)
class Comment:
    """A citizen's comment as the heads' pages list it: never the contact, never in a group."""

    rating_id: int
    at: datetime
    unit_name: str
    desk: str | None
    overall: int
    flagged: bool
    text: str


async def newest(
    session: AsyncSession,
    *,
    root: Unit | None,
    start: datetime,
    end: datetime,
    condition: ColumnElement[bool],
    limit: int,
) -> list[int]:
    """The ids of a subtree's (None: the office's) newest counted ratings meeting `condition`: the ids
    alone first (the office's year is a million rows: nothing joined to each), newest first."""
    query = (
        select(CitizenRating.id)
        .order_by(CitizenRating.created_at.desc(), CitizenRating.id.desc())
        .limit(limit)
    )
    if root is None:
        query = query.where(counted(start, end, scan=dialect_of(session) == "sqlite"), condition)
    else:
        units = select(Unit.id).where(Unit.path.startswith(root.path)).scalar_subquery()
        query = query.where(counted(start, end), condition, CitizenRating.unit_id.in_(units))
    return list((await session.scalars(query)).all())


async def comments(
    session: AsyncSession, *, root: Unit | None, start: datetime, end: datetime, limit: int = 50
) -> list[Comment]:
    """The latest comments of a subtree (None: the whole office) in [start, end), newest first."""
    ids = await newest(
        session, root=root, start=start, end=end, condition=CitizenRating.comment.is_not(None), limit=limit
    )
    query = (
        select(
            CitizenRating.id,
            CitizenRating.created_at,
            Unit.name,
            ReceptionPoint.desk,
            CitizenRating.overall,
            CitizenRating.flagged,
            CitizenRating.comment,
        )
        .join(Unit, Unit.id == CitizenRating.unit_id)
        .join(ReceptionPoint, ReceptionPoint.id == CitizenRating.point_id)
        .where(CitizenRating.id.in_(ids))
        .order_by(CitizenRating.created_at.desc(), CitizenRating.id.desc())
    )
    return [
        Comment(rating_id, at, unit_name, desk, overall, flagged, text or "")
        for rating_id, at, unit_name, desk, overall, flagged, text in (await session.execute(query)).all()
    ]
