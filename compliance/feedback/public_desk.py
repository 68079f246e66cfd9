"""What the public rating page needs of a reception point, read in two light queries.

The page behind a QR poster is the busiest page of the office (issue 16 plans 100 ratings a second); it
shows the unit's and desk's names and the staff a citizen may name as on duty. Reading them as plain
columns rather than ORM objects, and as one value the web layer may keep a short while, keeps the form
cheap. The rating itself is always checked against the database (compliance.feedback.ratings).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.feedback.points import normalise_code
from compliance.feedback.ratings import ON_STAFF
from compliance.text import vietnamese_name_key
from storage.models import Official, Unit
from storage.models_feedback import ReceptionPoint


@dataclass(frozen=True)
class PublicDesk:
    """A reception point as its public page shows it. `id` and `unit_id` are the point's, so a rating can
    be recorded against it."""

    id: int
    unit_id: int
    code: str
    desk: str | None
    active: bool
    unit_name: str
    # (official id, full name) of the staff a citizen may name, in Vietnamese order.
    staff: tuple[tuple[int, str], ...]


async def public_desk(session: AsyncSession, text: str) -> PublicDesk | None:
    """The point whose code is `text` (as typed or scanned), or None when there is no such point."""
    code = normalise_code(text)
    if code is None:
        return None
    found = (
        await session.execute(
            select(
                ReceptionPoint.id,
                ReceptionPoint.unit_id,
                ReceptionPoint.code,
                ReceptionPoint.desk,
                ReceptionPoint.active,
                Unit.name,
            )
            .join(Unit, Unit.id == ReceptionPoint.unit_id)
            .where(ReceptionPoint.code == code)
        )
    ).first()
    if found is None:
        return None
    point_id, unit_id, code, desk, active, unit_name = found
    people = (
        await session.execute(
            select(Official.id, Official.full_name).where(
                Official.unit_id == unit_id, Official.status.in_(ON_STAFF), Official.erased_at.is_(None)
            )
        )
    ).all()
    staff = sorted(((int(i), name) for i, name in people), key=lambda p: (vietnamese_name_key(p[1]), p[0]))
    return PublicDesk(
        id=point_id,
        unit_id=unit_id,
        code=code,
        desk=desk,
        active=bool(active),
        unit_name=unit_name,
        staff=tuple(staff),
    )
