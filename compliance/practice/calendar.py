"""Working days: Monday to Friday, minus Vietnamese public holidays, plus the office's own exceptions.

The national calendar comes from the `holidays` package (Tết Nguyên đán, Giỗ Tổ Hùng Vương, 30/4, 1/5,
2/9 and the days off in lieu of those falling on a weekend). On top of it, an admin declares overrides
(table calendar_overrides): an extra day off ("off"), or a make-up working day ("workday").

Government make-up working days: `holidays` also knows the weekend days the government swapped into
working days to make a bridge holiday (in 0.109, for VN, e.g. Saturday 22/08/2026 is worked so that
Monday 31/08/2026 is off; `HolidayBase.weekend_workdays`). Those count as working days here too, so the
office does not have to declare them.

The year's official schedule as data (compliance/practice/calendar_data.py): days loaded from a calendar
file with their source document are applied over the package's answer for those dates (the package does
not know, say, that Friday 02/01/2026 was off and Saturday 10/01/2026 worked). The order, strongest
first: the office's override, the loaded official day, the `holidays` package.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.officials import Actor
from compliance.practice.calendar_data import loaded_days
from compliance.privacy import audit
from compliance.text import clean_text
from storage.clock import local_today
from storage.models_practice import CalendarOverride, OfficialCalendarDay

LOCAL_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")
OFF: Final = "off"
WORKDAY: Final = "workday"
KINDS: Final = (OFF, WORKDAY)
MAX_NOTE_LENGTH: Final = 200
# The lunar calendar `holidays` computes Tết with covers this comfortably; other years are typos.
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2099
# Our locales -> the languages `holidays` names Vietnamese holidays in.
HOLIDAY_LANGUAGES: Final = {"vi": "vi", "en": "en_US"}


def week_start(day: date) -> date:
    """The Monday of the week `day` is in."""
    return day - timedelta(days=day.weekday())


def _national(years: Iterable[int], language: str) -> holidays.HolidayBase:
    # expand=True (the default): asking about another year computes that year on demand.
    return holidays.country_holidays("VN", years=list(years), language=language)


def _nationally_working(national: holidays.HolidayBase, day: date) -> bool:
    is_holiday = day in national  # also computes the day's year (and its make-up days) if needed
    if day.weekday() >= 5:
        return day in national.weekend_workdays
    return not is_holiday


@dataclass(frozen=True)
class Override:
    """An admin's override as plain data, detached from the session."""

    day: date
    kind: str
    note: str | None


@dataclass(frozen=True)
class Official:
    """A loaded official day as plain data: its kind, its name in each language, its source's JSON."""

    day: date
    kind: str
    name_vi: str
    name_en: str
    source: dict[str, object]

    @classmethod
    def of(cls, row: OfficialCalendarDay) -> Official:
        return cls(row.day, row.kind, row.name_vi, row.name_en, dict(row.source))

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi


def _working_by(official: Official | None, national: holidays.HolidayBase, day: date) -> bool:
    if official is not None:
        return official.kind == WORKDAY
    return _nationally_working(national, day)


@dataclass(frozen=True)
class SpecialDay:
    """A day that is not an ordinary Monday-to-Friday working day or an ordinary weekend day.

    `holiday` is the national holiday's name (in the language asked for), `makeup` says the government
    made this weekend day a working day, and `override` is the office's own exception, if any.
    """

    day: date
    working: bool
    holiday: str | None
    makeup: bool
    override: Override | None


class WorkCalendar:
    """Which days are working days, for a range of dates loaded once (see load()).

    Holidays are right for any date (the national calendar is computed for other years on demand).
    Overrides are only known for the loaded range: asking about a date outside it raises ValueError.
    """

    def __init__(
        self,
        overrides: Iterable[Override],
        *,
        start: date,
        end: date,
        official: Iterable[Official] = (),
    ) -> None:
        if start > end:
            raise ValueError("the calendar's start is after its end")
        self.start = start
        self.end = end
        self._overrides = {o.day: o for o in overrides}
        self._official = {o.day: o for o in official}
        self._national: dict[str, holidays.HolidayBase] = {}

    @classmethod
    async def load(cls, session: AsyncSession, *, start: date, end: date) -> WorkCalendar:
        """The calendar from `start` to `end`, widened to whole weeks (Monday to Sunday)."""
        start = week_start(start)
        end = week_start(end) + timedelta(days=6)
        rows = await list_overrides(session, start=start, end=end)
        official = await loaded_days(session, start=start, end=end)
        return cls(
            (Override(r.day, r.kind, r.note) for r in rows),
            start=start,
            end=end,
            official=(Official.of(r) for r in official),
        )

    def _holidays(self, locale: str = "vi") -> holidays.HolidayBase:
        language = HOLIDAY_LANGUAGES.get(locale, "vi")
        if language not in self._national:
            self._national[language] = _national(range(self.start.year, self.end.year + 1), language)
        return self._national[language]

    def override(self, day: date) -> Override | None:
        if not self.start <= day <= self.end:
            raise ValueError(f"{day} is outside the loaded calendar ({self.start} to {self.end})")
        return self._overrides.get(day)

    def official(self, day: date) -> Official | None:
        """The loaded official day (from a calendar file), if `day` is one; known for the loaded range."""
        self.override(day)  # the same range check
        return self._official.get(day)

    def is_working_day(self, day: date) -> bool:
        override = self.override(day)
        if override is not None:
            return override.kind == WORKDAY
        return _working_by(self._official.get(day), self._holidays(), day)

    def holiday_name(self, day: date, *, locale: str = "vi") -> str | None:
        """The national holiday on `day` (whatever the office declared), named in `locale` ("vi", "en"):
        a loaded official day off by its file's name, otherwise the `holidays` package's."""
        official = self._official.get(day)
        if official is not None and official.kind == OFF:
            return official.name(locale)
        name = self._holidays(locale).get(day)
        return str(name) if name is not None else None

    def is_makeup_day(self, day: date) -> bool:
        """A weekend day the government made a working day (regardless of the office's overrides)."""
        if day.weekday() < 5:
            return False
        return _working_by(self._official.get(day), self._holidays(), day)

    def week_start(self, day: date) -> date:
        return week_start(day)

    def last_working_day_of_week(self, day: date) -> date | None:
        """The last working day of `day`'s week (Monday to Sunday), or None if the whole week is off."""
        monday = week_start(day)
        for offset in range(6, -1, -1):
            candidate = monday + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        return None

    def working_days_between(self, start: date, end: date) -> list[date]:
        """Every working day from `start` to `end`, both included."""
        days = (start + timedelta(days=n) for n in range((end - start).days + 1))
        return [day for day in days if self.is_working_day(day)]

    def special_days(self, start: date, end: date, *, locale: str = "vi") -> list[SpecialDay]:
        """Weekdays off, weekend days worked and the office's overrides, from `start` to `end`."""
        found: list[SpecialDay] = []
        for n in range((end - start).days + 1):
            day = start + timedelta(days=n)
            working = self.is_working_day(day)
            override = self.override(day)
            if override is None and working == (day.weekday() < 5):
                continue
            found.append(
                SpecialDay(
                    day=day,
                    working=working,
                    holiday=self.holiday_name(day, locale=locale),
                    makeup=self.is_makeup_day(day),
                    override=override,
                )
            )
        return found


class OverrideOutcome(enum.Enum):
    ADDED = "added"
    REPLACED = "replaced"  # the day had an override of the other kind
    NOT_NEEDED = "not_needed"  # the day already is what was asked: nothing changed


async def _override_row(session: AsyncSession, day: date) -> CalendarOverride | None:
    return await session.scalar(select(CalendarOverride).where(CalendarOverride.day == day))


async def add_override(
    session: AsyncSession,
    *,
    day: date,
    kind: str,
    note: str | None = None,
    actor: Actor | None = None,
) -> OverrideOutcome:
    """Make `day` a day off ("off") or a working day ("workday") for the whole office.

    `actor` None is the command line; either way the change is written in the audit log.
    """
    created_by_id = actor.id if actor else None
    if kind not in KINDS:
        raise ValueError(f"unknown override kind {kind!r}")
    existing = await _override_row(session, day)
    if existing is not None:
        working_now = existing.kind == WORKDAY
    else:
        loaded = await loaded_days(session, start=day, end=day)
        official = Official.of(loaded[0]) if loaded else None
        working_now = _working_by(official, _national([day.year], "vi"), day)
    if working_now == (kind == WORKDAY):
        return OverrideOutcome.NOT_NEEDED
    cleaned = clean_text(note or "")[:MAX_NOTE_LENGTH] or None
    before = {"kind": existing.kind, "note": existing.note} if existing is not None else None
    await audit.record(
        session,
        actor=actor,
        action="calendar.add",
        subject=f"calendar:{day.isoformat()}",
        before=before,
        after={"kind": kind, "note": cleaned},
    )
    if existing is not None:
        existing.kind = kind
        existing.note = cleaned
        existing.created_by_id = created_by_id
        await session.flush()
        return OverrideOutcome.REPLACED
    session.add(CalendarOverride(day=day, kind=kind, note=cleaned, created_by_id=created_by_id))
    await session.flush()
    return OverrideOutcome.ADDED


async def remove_override(session: AsyncSession, *, day: date, actor: Actor | None = None) -> bool:
    """Undo the office's override of `day`; False if it had none."""
    existing = await _override_row(session, day)
    if existing is None:
        return False
    await audit.record(
        session,
        actor=actor,
        action="calendar.remove",
        subject=f"calendar:{day.isoformat()}",
        before={"kind": existing.kind, "note": existing.note},
    )
    await session.delete(existing)
    await session.flush()
    return True


async def list_overrides(session: AsyncSession, *, start: date, end: date) -> list[CalendarOverride]:
    rows = await session.scalars(
        select(CalendarOverride)
        .where(CalendarOverride.day >= start, CalendarOverride.day <= end)
        .order_by(CalendarOverride.day)
    )
    return list(rows)


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?$")


class DayProblem(enum.Enum):
    """Why a typed day was refused, so the person is told what to fix."""

    NOT_A_DATE = "not_a_date"  # "abc", "15/13/2026/1": no date's shape
    NO_SUCH_DAY = "no_such_day"  # "31/02": a date's shape, but the calendar has no such day


def read_day(text: str, *, today: date | None = None) -> date | DayProblem:
    """ "2027-02-06", "06/02/2027", "6/2/2027" or "6/2" (this year in Viet Nam) -> a date, or why not.

    Day first, as Vietnamese write dates; "." and "-" work as separators too ("6.2.2027").
    """
    text = text.strip()
    if iso := _ISO.match(text):
        year, month, day = (int(g) for g in iso.groups())
    elif short := _DAY_MONTH.match(text):
        day, month = int(short[1]), int(short[2])
        year = int(short[3]) if short[3] else (today or local_today()).year
    else:
        return DayProblem.NOT_A_DATE
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return DayProblem.NO_SUCH_DAY
    try:
        return date(year, month, day)
    except ValueError:
        return DayProblem.NO_SUCH_DAY


def parse_day(text: str, *, today: date | None = None) -> date | None:
    """As read_day, None for any refusal."""
    day = read_day(text, today=today)
    return day if isinstance(day, date) else None
