"""When things happen: office defaults, overridable per unit, stored in the database.

A change takes effect at the next tick, without restart: every tick reads the schedules afresh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance import audit
from compliance.officials import Actor
from storage.models import Unit
from storage.models_practice import Schedule

TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3])[:hH.]([0-5]\d)$")


@dataclass(frozen=True)
class Effective:
    """A unit's schedule with every field resolved (its own, an ancestor's, or the default)."""

    reminder_time: str = "07:45"
    selfcheck_open_weekday: int = 4  # Friday
    selfcheck_open_time: str = "14:00"
    selfcheck_deadline_time: str = "17:00"  # on the last working day of the week
    quiz_weekday: int = 2  # Wednesday
    quiz_time: str = "10:00"
    summary_weekday: int = 0  # Monday
    summary_time: str = "08:00"


FIELDS = tuple(f.name for f in fields(Effective))
DEFAULTS = Effective()


def parse_time(value: str) -> str | None:
    """ "7:45", "07h45", "7.45" -> "07:45"; None if it is not a time of day."""
    match = TIME_PATTERN.match(value.strip())
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else None


def as_time(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _merge(base: Effective, row: Schedule | None) -> Effective:
    if row is None:
        return base
    values = {
        name: getattr(row, name) if getattr(row, name) is not None else getattr(base, name) for name in FIELDS
    }
    return Effective(**values)


@dataclass(frozen=True)
class ScheduleMap:
    """The office default and every unit's effective schedule, loaded in two queries."""

    office: Effective
    by_unit: dict[int, Effective]

    def for_unit(self, unit_id: int | None) -> Effective:
        return self.by_unit.get(unit_id, self.office) if unit_id is not None else self.office


async def load_schedules(session: AsyncSession) -> ScheduleMap:
    rows = {row.unit_id: row for row in (await session.scalars(select(Schedule))).all()}
    office = _merge(DEFAULTS, rows.get(None))
    units = (await session.execute(select(Unit.id, Unit.path).order_by(Unit.depth))).all()
    by_unit: dict[int, Effective] = {}
    for unit_id, path in units:
        ids = [int(p) for p in path.strip("/").split("/") if p]
        parent = by_unit.get(ids[-2], office) if len(ids) > 1 else office
        by_unit[unit_id] = _merge(parent, rows.get(unit_id))
    return ScheduleMap(office, by_unit)


class ScheduleError(ValueError):
    """A field or value that cannot be set; `field` names it."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


async def set_field(
    session: AsyncSession, *, unit: Unit | None, field: str, value: str | None, actor: Actor | None = None
) -> Effective:
    """Set (or, with None on a unit, clear) one field for the office or a unit; returns the new values.

    `actor` None is the command line; either way the change is written in the audit log.
    """
    if field not in FIELDS:
        raise ScheduleError(field)
    parsed: str | int | None = None
    if value is not None:
        if field.endswith("_weekday"):
            if not value.strip().isdigit() or not 0 <= int(value) <= 6:
                raise ScheduleError(field)
            parsed = int(value)
        else:
            parsed = parse_time(value)
            if parsed is None:
                raise ScheduleError(field)
    elif unit is None:
        raise ScheduleError(field)  # the office default cannot be empty
    unit_id = unit.id if unit else None
    row = await session.scalar(
        select(Schedule).where(Schedule.unit_id.is_(None) if unit_id is None else Schedule.unit_id == unit_id)
    )
    if row is None:
        row = Schedule(unit_id=unit_id)
        session.add(row)
    previous = getattr(row, field)
    if previous is None and unit is None:
        previous = getattr(DEFAULTS, field)  # the office had no value of its own: the default applied
    setattr(row, field, parsed)
    await audit.record(
        session,
        actor=actor,
        action="schedule.set" if parsed is not None else "schedule.clear",
        subject=f"schedule:{unit.code if unit else 'office'}",
        before={field: previous},
        after={field: parsed},
    )
    await session.flush()
    return (await load_schedules(session)).for_unit(unit_id)
