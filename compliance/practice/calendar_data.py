"""The government's calendar as data: a year's days off and make-up working days, each with its document.

The `holidays` package computes the statutory holidays for any year, but each year's swaps (a Friday off,
a Saturday worked) and the spread of Tết are decided by a notice of the Ministry of Home Affairs some
months ahead. A file per year (content/calendar/vn-2026.yaml) carries them with their sources; once
loaded into official_calendar_days, its days are applied over the package's answer for those dates, and
an office's own override of a day still wins (compliance/practice/calendar.py).

When files are loaded: the shipped files at start (`python -m bot run`, `migrate`, and every
`python -m bot calendar` command call load_shipped), not on first use, so a read of the calendar never
writes; processes starting together take turns (an advisory lock on PostgreSQL). load_shipped only fills a
year that has no loaded days, or replaces an older revision of the same file; an administrator's `calendar
load FILE` always replaces the file's year (and is audited), so a corrected file is never overwritten by a
restart.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import yaml
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.content import ContentError, Reader, Text
from compliance.office.officials import Actor
from compliance.privacy import audit
from compliance.sources import Source, parse_source, read_date
from storage.engine import hold_lock
from storage.models_practice import OfficialCalendarDay

CONTENT_DIR: Final = Path(__file__).resolve().parents[2] / "content" / "calendar"
OFF: Final = "off"
WORKDAY: Final = "workday"
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2099
MAX_NAME: Final = 200
SHIPPED_LOAD_LOCK: Final = 0x63616C64  # "cald": replicas load the shipped calendars one after the other


@dataclass(frozen=True)
class OfficialDay:
    day: date
    kind: str
    name: Text
    source: Source


@dataclass(frozen=True)
class CalendarFile:
    dataset: str  # "vn-2026": which file a loaded day came from
    year: int
    revision: int
    days: tuple[OfficialDay, ...]


def _whole_number(read: Reader, value: Any, where: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise read.fail(
            where, f"must be a whole number from {low} to {high}", "bad_number_range", low=low, high=high
        )
    return value


def parse_calendar(document: Any, name: str) -> CalendarFile:
    read = Reader(name)
    data = read.mapping(document, "file")
    if read.field(data, "country", "file") != "VN":
        raise read.fail("country", "only VN (Viet Nam) is known", "bad_country")
    year = _whole_number(read, read.field(data, "year", "file"), "year", FIRST_YEAR, LAST_YEAR)
    revision = _whole_number(read, data.get("revision", 1), "revision", 1, 10_000)
    raw_sources = read.mapping(read.field(data, "sources", "file"), "sources")
    seen: set[str] = set()
    sources = {
        read.ident(key, f"source {key}", seen): parse_source(read, value, sample=False, where=f"source {key}")
        for key, value in raw_sources.items()
    }
    days: dict[date, OfficialDay] = {}
    for number, raw in enumerate(read.list_of(read.field(data, "days", "file"), "days", maximum=400)):
        where = f"day {number + 1}"
        entry = read.mapping(raw, where)
        day = read_date(read, read.field(entry, "date", where), f"{where} date", example="2026-02-16")
        where = f"day {day.isoformat()}"
        if day.year != year:
            raise read.fail(where, f"is not in {year}", "not_in_year", year=year)
        if day in days:
            raise read.fail(where, "is listed twice", "duplicate_day")
        kind = read.field(entry, "kind", where)
        if kind is False:  # YAML 1.1 reads a bare `off` as false; that is what was written
            kind = OFF
        if kind not in (OFF, WORKDAY):
            raise read.fail(where, "kind must be off or workday", "bad_kind")
        # A day off on a weekend or a make-up day on a weekday changes nothing: it is a typed-wrong date.
        if kind == OFF and day.weekday() >= 5:
            raise read.fail(where, "is a Saturday or Sunday: it is off anyway", "weekend_off")
        if kind == WORKDAY and day.weekday() < 5:
            raise read.fail(where, "a make-up working day is a Saturday or Sunday", "weekday_workday")
        key = read.field(entry, "source", where)
        if not isinstance(key, str) or key not in sources:
            raise read.fail(where, f"no source '{key}' under sources", "unknown_source", key=str(key))
        name_text = read.text(read.field(entry, "name", where), f"{where} name", limit=MAX_NAME)
        days[day] = OfficialDay(day, kind, name_text, sources[key])
    return CalendarFile(
        dataset=f"vn-{year}",
        year=year,
        revision=revision,
        days=tuple(sorted(days.values(), key=lambda d: d.day)),
    )


def load_calendar_bytes(content: bytes, name: str) -> CalendarFile:
    try:
        document = yaml.safe_load(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ContentError(name, "file", "not UTF-8 text", code="not_utf8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = {"line": mark.line + 1, "column": mark.column + 1} if mark is not None else {}
        raise ContentError(name, "file", "not valid YAML", code="bad_yaml", params=where) from None
    return parse_calendar(document, name)


def shipped_files() -> list[CalendarFile]:
    return [load_calendar_bytes(path.read_bytes(), path.name) for path in sorted(CONTENT_DIR.glob("*.yaml"))]


class LoadOutcome(enum.Enum):
    LOADED = "loaded"
    UNCHANGED = "unchanged"  # the year already holds exactly these days


@dataclass(frozen=True)
class LoadResult:
    outcome: LoadOutcome
    added: int = 0
    changed: int = 0
    removed: int = 0


def _as_row_values(day: OfficialDay) -> tuple[str, str, str, dict[str, Any]]:
    return (day.kind, day.name.vi, day.name.en, day.source.to_json())


async def _year_rows(session: AsyncSession, year: int) -> list[OfficialCalendarDay]:
    rows = await session.scalars(
        select(OfficialCalendarDay)
        .where(OfficialCalendarDay.day >= date(year, 1, 1), OfficialCalendarDay.day <= date(year, 12, 31))
        .order_by(OfficialCalendarDay.day)
    )
    return list(rows)


async def apply_file(session: AsyncSession, data: CalendarFile, *, actor: Actor | None = None) -> LoadResult:
    """Make the loaded days of `data.year` exactly the file's; audited. `actor` None: the command line or
    the start-up load."""
    old = {row.day: row for row in await _year_rows(session, data.year)}
    new = {d.day: d for d in data.days}
    old_values = {day: (row.kind, row.name_vi, row.name_en, row.source) for day, row in old.items()}
    new_values = {day: _as_row_values(d) for day, d in new.items()}
    same_origin = all(r.dataset == data.dataset and r.revision == data.revision for r in old.values())
    if old_values == new_values and same_origin:
        return LoadResult(LoadOutcome.UNCHANGED)
    added = len(new.keys() - old.keys())
    removed = len(old.keys() - new.keys())
    changed = sum(1 for day in new.keys() & old.keys() if old_values[day] != new_values[day])
    await audit.record(
        session,
        actor=actor,
        action="calendar.load",
        subject=f"calendar:{data.dataset}",
        before={"revision": sorted({r.revision for r in old.values()}), "days": len(old)} if old else None,
        after={
            "revision": data.revision,
            "days": len(new),
            "added": added,
            "changed": changed,
            "removed": removed,
        },
    )
    await session.execute(
        delete(OfficialCalendarDay).where(
            OfficialCalendarDay.day >= date(data.year, 1, 1),
            OfficialCalendarDay.day <= date(data.year, 12, 31),
        )
    )
    session.add_all(
        OfficialCalendarDay(
            day=d.day,
            kind=d.kind,
            name_vi=d.name.vi,
            name_en=d.name.en,
            source=d.source.to_json(),
            dataset=data.dataset,
            revision=data.revision,
        )
        for d in data.days
    )
    await session.flush()
    return LoadResult(LoadOutcome.LOADED, added, changed, removed)


async def load_shipped(session: AsyncSession, files: list[CalendarFile] | None = None) -> list[CalendarFile]:
    """Load the shipped files whose year has nothing loaded yet, or an older revision of the same file;
    the files loaded. Idempotent: a second call loads nothing. Replicas starting together take turns (the
    lock ends with the caller's transaction), so the second finds the days the first loaded."""
    await hold_lock(session, SHIPPED_LOAD_LOCK)
    loaded = []
    for data in shipped_files() if files is None else files:
        rows = await _year_rows(session, data.year)
        outdated = bool(rows) and all(r.dataset == data.dataset and r.revision < data.revision for r in rows)
        if not rows or outdated:
            await apply_file(session, data)
            loaded.append(data)
    return loaded


async def loaded_days(session: AsyncSession, *, start: date, end: date) -> list[OfficialCalendarDay]:
    rows = await session.scalars(
        select(OfficialCalendarDay)
        .where(OfficialCalendarDay.day >= start, OfficialCalendarDay.day <= end)
        .order_by(OfficialCalendarDay.day)
    )
    return list(rows)
