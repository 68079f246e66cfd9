"""Reception points: a unit, or a named desk of it, with the short code its poster's QR code opens.

The code uses the activation codes' alphabet (compliance.office.activation: no look-alike characters and
nothing a Vietnamese keyboard rewrites), so a citizen typing the printed address by hand gets it right.
Six characters of that alphabet give 34 million codes: an office has a few hundred points, and a code is not
a secret (it is printed on a wall), only a name that must not be mistyped.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from typing import Final

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.activation import ALPHABET
from compliance.office.officials import Actor
from compliance.privacy import audit
from compliance.text import clean_text, vietnamese_key
from storage.models import Unit
from storage.models_feedback import CitizenRating, ReceptionPoint

CODE_LENGTH: Final = 6
DESK_LONGEST: Final = 120
PUBLIC_PREFIX: Final = "/r/"
_ALLOWED = frozenset(ALPHABET)
_SEPARATORS = frozenset(" -_.\u2010\u2011\u2012\u2013\u2014\u2212\u00a0")


class PointRefused(ValueError):
    """Why a point cannot be made or changed as asked: one of the reasons below."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


DESK_TOO_LONG: Final = "desk_too_long"
DUPLICATE: Final = "duplicate"  # the unit already has an active point with this desk name


def public_path(code: str) -> str:
    return f"{PUBLIC_PREFIX}{code}"


def normalise_code(text: str) -> str | None:
    """The canonical code of what was typed or followed (case, spaces, dashes and stray marks do not
    matter), or None when it cannot be one."""
    if len(text) > 32:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch not in _SEPARATORS)
    canonical = kept.upper()
    if len(canonical) != CODE_LENGTH or not set(canonical) <= _ALLOWED:
        return None
    return canonical


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


async def _unused_code(session: AsyncSession) -> str:
    while True:
        code = _new_code()
        if await session.scalar(select(ReceptionPoint.id).where(ReceptionPoint.code == code)) is None:
            return code


def clean_desk(text: str | None) -> str | None:
    desk = clean_text(text or "") or None
    if desk is not None and len(desk) > DESK_LONGEST:
        raise PointRefused(DESK_TOO_LONG)
    return desk


def _same_desk(unit: Unit, name: str | None) -> tuple[ColumnElement[bool], ...]:
    return (
        ReceptionPoint.unit_id == unit.id,
        ReceptionPoint.active.is_(True),
        ReceptionPoint.desk.is_(None) if name is None else ReceptionPoint.desk == name,
    )


async def point_of_desk(
    session: AsyncSession, *, unit: Unit, desk: str | None, actor: Actor | None
) -> tuple[ReceptionPoint, bool]:
    """The unit's active point with this desk name, made (and audited) when there is none: (point, made)."""
    found = await session.scalar(select(ReceptionPoint).where(*_same_desk(unit, clean_desk(desk))))
    if found is not None:
        return found, False
    return await create_point(session, unit=unit, desk=desk, actor=actor), True


async def create_point(
    session: AsyncSession, *, unit: Unit, desk: str | None, actor: Actor | None
) -> ReceptionPoint:
    """A new active point of `unit` (the unit itself when `desk` is empty), audited. The caller checked
    that `actor` manages the unit."""
    name = clean_desk(desk)
    same = await session.scalar(
        select(func.count()).select_from(ReceptionPoint).where(*_same_desk(unit, name))
    )
    if same:
        raise PointRefused(DUPLICATE)
    point = ReceptionPoint(unit_id=unit.id, desk=name, code=await _unused_code(session), active=True)
    session.add(point)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="feedback.point.create",
        subject=f"reception_point:{point.id}",
        after={"unit_id": unit.id, "desk": name, "code": point.code},
    )
    return point


async def set_active(
    session: AsyncSession, *, point: ReceptionPoint, active: bool, actor: Actor | None
) -> bool:
    """Deactivate (the poster's page says it no longer takes ratings) or reactivate; False when it
    already was so. The ratings it received stay and keep counting."""
    if point.active is active:
        return False
    point.active = active
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="feedback.point.activate" if active else "feedback.point.deactivate",
        subject=f"reception_point:{point.id}",
        before={"active": not active},
        after={"active": active},
    )
    return True


async def point_by_code(session: AsyncSession, text: str) -> ReceptionPoint | None:
    code = normalise_code(text)
    if code is None:
        return None
    return await session.scalar(select(ReceptionPoint).where(ReceptionPoint.code == code))


@dataclass(frozen=True)
class PointLine:
    point: ReceptionPoint
    unit: Unit
    ratings: int


async def points_under(session: AsyncSession, top: Unit | None) -> list[PointLine]:
    """The points of `top`'s subtree (the whole office for None) with their count of ratings, by unit then
    desk (the unit itself first), in Vietnamese order."""
    counts = (
        select(CitizenRating.point_id, func.count().label("n")).group_by(CitizenRating.point_id).subquery()
    )
    query = (
        select(ReceptionPoint, Unit, func.coalesce(counts.c.n, 0))
        .join(Unit, Unit.id == ReceptionPoint.unit_id)
        .outerjoin(counts, counts.c.point_id == ReceptionPoint.id)
    )
    if top is not None:
        query = query.where(Unit.path.startswith(top.path))
    rows = (await session.execute(query)).all()
    lines = [PointLine(point, unit, int(n)) for point, unit, n in rows]
    return sorted(
        lines,
        key=lambda line: (
            vietnamese_key(line.unit.name),
            line.unit.id,
            line.point.desk is not None,
            vietnamese_key(line.point.desk or ""),
            line.point.id,
        ),
    )
