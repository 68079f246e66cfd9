"""When things happen: office defaults, overridable per unit, stored in the database.

A change takes effect at the next tick, without restart: every tick reads the schedules afresh.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.officials import Actor
from compliance.privacy import audit
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

# What a Vietnamese admin types for each field: words joined by dashes (a chat command splits on spaces),
# accepted with or without diacritics; the English names keep working, in either language.
VI_NAMES = {
    "reminder_time": "giờ-nhắc",
    "selfcheck_open_weekday": "ngày-mở-tự-đánh-giá",
    "selfcheck_open_time": "giờ-mở-tự-đánh-giá",
    "selfcheck_deadline_time": "hạn-tự-đánh-giá",
    "quiz_weekday": "ngày-trắc-nghiệm",
    "quiz_time": "giờ-trắc-nghiệm",
    "summary_weekday": "ngày-tổng-hợp",
    "summary_time": "giờ-tổng-hợp",
}
# "T2" … "CN" as on Vietnamese calendars ("Thứ 2", "thu-hai" too), and the English names.
_WEEKDAY_WORDS = (
    ("t2", "thu2", "thuhai", "mon", "monday"),
    ("t3", "thu3", "thuba", "tue", "tuesday"),
    ("t4", "thu4", "thutu", "wed", "wednesday"),
    ("t5", "thu5", "thunam", "thu", "thursday"),
    ("t6", "thu6", "thusau", "fri", "friday"),
    ("t7", "thu7", "thubay", "sat", "saturday"),
    ("cn", "chunhat", "sun", "sunday"),
)


def _folded(text: str) -> str:
    """Without case, diacritics, spaces, dashes or underscores: "Ngày-trắc_nghiệm" -> "ngaytracnghiem"."""
    text = unicodedata.normalize("NFKD", text.strip().lower().replace("đ", "d"))
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


_FIELD_WORDS = {_folded(name): field for field, name in VI_NAMES.items()} | {_folded(f): f for f in FIELDS}
_WEEKDAYS = {word: number for number, words in enumerate(_WEEKDAY_WORDS) for word in words}


def field_by_name(name: str) -> str | None:
    """The field an admin named, in Vietnamese or English; None if there is no such field."""
    return _FIELD_WORDS.get(_folded(name))


def parse_weekday(value: str) -> int | None:
    """ "T2", "thứ 2", "Thứ-Hai", "CN", "Mon" -> 0 … 6 (Monday … Sunday). A bare number is refused: "2"
    means Monday to a Vietnamese reader (thứ 2) and Wednesday to a programmer (0 = Monday)."""
    return _WEEKDAYS.get(_folded(value))


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


class ScheduleProblem(enum.Enum):
    UNKNOWN_FIELD = "unknown_field"
    NOT_A_TIME = "not_a_time"
    NOT_A_WEEKDAY = "not_a_weekday"
    OFFICE_NEEDS_VALUE = "office_needs_value"  # the office default cannot be cleared


class ScheduleError(ValueError):
    """A field or value that cannot be set; `field` names it as typed, `problem` says what is wrong."""

    def __init__(self, field: str, problem: ScheduleProblem) -> None:
        super().__init__(f"{field}: {problem.value}")
        self.field = field
        self.problem = problem


async def set_field(
    session: AsyncSession, *, unit: Unit | None, field: str, value: str | None, actor: Actor | None = None
) -> Effective:
    """Set (or, with None on a unit, clear) one field for the office or a unit; returns the new values.

    `field` may be the English or the Vietnamese name. `actor` None is the command line; either way the
    change is written in the audit log.
    """
    typed, found = field, field_by_name(field)
    if found is None:
        raise ScheduleError(typed, ScheduleProblem.UNKNOWN_FIELD)
    field = found
    parsed: str | int | None = None
    if value is not None:
        if field.endswith("_weekday"):
            parsed = parse_weekday(value)
            if parsed is None:
                raise ScheduleError(field, ScheduleProblem.NOT_A_WEEKDAY)
        else:
            parsed = parse_time(value)
            if parsed is None:
                raise ScheduleError(field, ScheduleProblem.NOT_A_TIME)
    elif unit is None:
        raise ScheduleError(field, ScheduleProblem.OFFICE_NEEDS_VALUE)
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


async def own_values(session: AsyncSession, unit: Unit | None) -> dict[str, str | int | None]:
    """The values the office (None) or a unit set itself; None where it follows its parent or the default."""
    row = await session.scalar(
        select(Schedule).where(Schedule.unit_id.is_(None) if unit is None else Schedule.unit_id == unit.id)
    )
    return {name: getattr(row, name) if row is not None else None for name in FIELDS}
