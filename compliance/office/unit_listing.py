"""The units tree as /units shows it: one level at a time, each unit with the officials of its subtree.

A province has thousands of units and tens of thousands of officials, so a screen is a constant number of
queries whatever its size: the counts of a page of children come from one grouped query that matches every
unit below each child by its materialised path prefix.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from compliance.office import staff_roll
from compliance.office.officials import Actor
from compliance.office.units import is_live
from compliance.text import vietnamese_key
from storage.clock import utcnow
from storage.models import Official, Role, Unit

PER_PAGE = 10


@dataclass(frozen=True)
class UnitLine:
    id: int
    code: str
    name: str
    officials: (
        int  # on the staff list now (compliance.office.staff_roll), in the unit and every unit below it
    )
    joined: int
    sub_units: int  # directly below it
    kind: str | None = None  # free text: "Phòng", "Trung tâm"…


@dataclass(frozen=True)
class UnitLevel:
    """One screen: a unit (None: the whole office) and one page of the units directly below it."""

    unit: UnitLine | None
    children: list[UnitLine]
    page: int
    pages: int
    # Where "back" goes: ("unit", id), ("office", None), or None when the reader may not go higher.
    up: tuple[str, int | None] | None
    read_only: bool


def _children_of(unit_id: int | None) -> ColumnElement[bool]:
    # Merged units are history (compliance.office.unit_merge): never listed.
    return (Unit.parent_id.is_(None) if unit_id is None else Unit.parent_id == unit_id) & is_live()


async def children_page(
    session: AsyncSession, *, parent: Unit | None, page: int, per_page: int = PER_PAGE
) -> tuple[list[UnitLine], int]:
    """One page of the units directly below `parent` (the roots for None) with their counts, and how
    many such units there are."""
    where = _children_of(parent.id if parent else None)
    # The Vietnamese order is Python's (SQL sorts by code points): the names of one level are few enough
    # to fetch, and only a page of them is counted.
    siblings = (await session.execute(select(Unit.id, Unit.name).where(where))).all()
    total = len(siblings)
    ordered = [row[0] for row in sorted(siblings, key=lambda row: (vietnamese_key(row[1]), row[0]))]
    page_ids = ordered[page * per_page : (page + 1) * per_page]
    child = (
        select(Unit.id, Unit.code, Unit.name, Unit.name_key, Unit.path, Unit.kind)
        .where(Unit.id.in_(page_ids))
        .subquery("child")
    )
    # Officials are counted per unit first (only those below `parent`), then summed over each child's
    # subtree: the path join meets one row per unit rather than one per official.
    now = utcnow()
    per_unit = (
        select(
            Official.unit_id.label("unit_id"),
            func.count().label("officials"),
            staff_roll.count_if(staff_roll.joined(now)).label("joined"),
        )
        .where(staff_roll.on_list(now), staff_roll.within(parent))
        .group_by(Official.unit_id)
        .subquery("per_unit")
    )
    below = aliased(Unit, name="below")
    direct = aliased(Unit, name="direct")
    sub_units = (
        select(func.count(direct.id))
        .where(direct.parent_id == child.c.id, direct.merged_into_id.is_(None))
        .correlate(child)
        .scalar_subquery()
    )
    query = (
        select(
            child.c.id,
            child.c.code,
            child.c.name,
            child.c.kind,
            func.sum(per_unit.c.officials),
            func.sum(per_unit.c.joined),
            sub_units,
        )
        .select_from(child)
        .join(below, below.path.startswith(child.c.path))
        .outerjoin(per_unit, per_unit.c.unit_id == below.id)
        .group_by(child.c.id, child.c.code, child.c.name, child.c.name_key, child.c.kind)
    )
    rows = sorted((await session.execute(query)).all(), key=lambda r: page_ids.index(r[0]))
    lines = [UnitLine(r[0], r[1], r[2], int(r[4] or 0), int(r[5] or 0), int(r[6] or 0), r[3]) for r in rows]
    return lines, total


async def browse(
    session: AsyncSession, *, actor: Actor, unit_id: int | None, page: int = 0
) -> UnitLevel | None:
    """The screen for `unit_id` (None: the office, admins only), or None when the actor may not see it.

    Reach is decided here, from the database, on every press: heads see their own unit and below.
    """
    unit = await session.get(Unit, unit_id) if unit_id is not None else None
    if unit_id is not None and unit is None:
        return None
    if unit is None and not actor.is_admin:
        return None
    if unit is not None and not actor.may_manage(unit):
        return None
    line: UnitLine | None = None
    if unit is not None:
        officials, joined = await staff_roll.list_counts(session, unit)
        direct = await session.scalar(select(func.count()).select_from(Unit).where(_children_of(unit.id)))
        line = UnitLine(unit.id, unit.code, unit.name, officials, joined, int(direct or 0), unit.kind)
    children, count = await children_page(session, parent=unit, page=max(page, 0))
    pages_total = max(1, -(-count // PER_PAGE))
    if page >= pages_total and count:
        children, count = await children_page(session, parent=unit, page=pages_total - 1)
        page = pages_total - 1
    up: tuple[str, int | None] | None = None
    if unit is not None:
        parent = await session.get(Unit, unit.parent_id) if unit.parent_id is not None else None
        if parent is not None and actor.may_manage(parent):
            up = ("unit", parent.id)
        elif parent is None and actor.is_admin:
            up = ("office", None)
    return UnitLevel(line, children, max(page, 0), pages_total, up, read_only=not actor.is_admin)


async def office_counts(session: AsyncSession) -> UnitLine:
    """The whole office as one line: everyone on the list, and the top-level units."""
    officials, joined = await staff_roll.list_counts(session, None)
    roots = await session.scalar(select(func.count()).select_from(Unit).where(_children_of(None)))
    return UnitLine(0, "", "", officials, joined, int(roots or 0))


@dataclass(frozen=True)
class StaffMember:
    id: int
    full_name: str
    title: str | None
    is_head: bool


async def unit_staff(session: AsyncSession, unit: Unit, *, limit: int = 500) -> list[StaffMember]:
    """The people on the list directly in `unit` (not below it), heads first, then by name: whom an
    administrator may choose as the unit's head."""
    rows = (
        await session.scalars(
            select(Official).where(Official.unit_id == unit.id, staff_roll.on_list(utcnow())).limit(limit)
        )
    ).all()
    members = [
        StaffMember(o.id, o.full_name, o.title, o.role is Role.HEAD) for o in rows if o.erased_at is None
    ]
    return sorted(members, key=lambda m: (not m.is_head, vietnamese_key(m.full_name), m.id))
