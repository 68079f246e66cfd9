"""The working-day calendar: national holidays, government make-up days, the office's overrides, the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime

import holidays
import pytest
from sqlalchemy import select

from bot.cli import main
from compliance.practice import calendar
from compliance.practice.calendar import OverrideOutcome, WorkCalendar, parse_day
from handlers.i18n import _, use_locale
from handlers.views.calendar import day_text
from storage.clock import ShiftedClock, use_clock
from storage.engine import Database
from storage.models_practice import CalendarOverride

TET_2027 = [date(2027, 2, d) for d in range(4, 11)]  # 29 Tết (Thu 4/2) to mùng năm (Wed 10/2)


async def load(database: Database, start: date, end: date) -> WorkCalendar:
    async with database.unit_of_work() as session:
        return await WorkCalendar.load(session, start=start, end=end)


async def test_tet_2027_is_off_and_moves_the_end_of_the_week(database: Database) -> None:
    work = await load(database, date(2027, 2, 1), date(2027, 2, 14))
    assert not any(work.is_working_day(d) for d in TET_2027)
    assert work.holiday_name(date(2027, 2, 6), locale="en") == "Lunar New Year"
    assert work.holiday_name(date(2027, 2, 6)) == "Tết Nguyên Đán"
    assert work.holiday_name(date(2027, 2, 12)) is None
    assert work.week_start(date(2027, 2, 4)) == date(2027, 2, 1)
    assert work.last_working_day_of_week(date(2027, 2, 4)) == date(2027, 2, 3)  # Wednesday
    assert work.last_working_day_of_week(date(2027, 2, 9)) == date(2027, 2, 12)  # back on Thu, Fri
    assert work.working_days_between(date(2027, 2, 1), date(2027, 2, 14)) == [
        date(2027, 2, 1),
        date(2027, 2, 2),
        date(2027, 2, 3),
        date(2027, 2, 11),
        date(2027, 2, 12),
    ]


async def test_the_national_calendar_and_its_make_up_days(database: Database) -> None:
    work = await load(database, date(2026, 8, 17), date(2026, 9, 6))
    # Government decision: Saturday 22/08/2026 is worked so that Monday 31/08/2026 is off (with 1-2/9).
    assert work.is_working_day(date(2026, 8, 22)) and work.is_makeup_day(date(2026, 8, 22))
    assert not work.is_working_day(date(2026, 8, 23))  # the Sunday stays off
    assert not any(work.is_working_day(date(2026, m, d)) for m, d in ((8, 31), (9, 1), (9, 2)))
    assert work.last_working_day_of_week(date(2026, 8, 18)) == date(2026, 8, 22)
    assert work.holiday_name(date(2026, 9, 2), locale="en") == "National Day"
    # Holidays are right outside the loaded range; the office's overrides are not known there.
    assert work.holiday_name(date(2030, 9, 2), locale="en") == "National Day"
    with pytest.raises(ValueError, match="outside the loaded calendar"):
        work.is_working_day(date(2027, 2, 8))
    specials = work.special_days(date(2026, 8, 17), date(2026, 9, 6))
    assert [(s.day, s.working, s.makeup) for s in specials] == [
        (date(2026, 8, 22), True, True),
        (date(2026, 8, 31), False, False),
        (date(2026, 9, 1), False, False),
        (date(2026, 9, 2), False, False),
    ]


async def test_an_admins_make_up_saturday_and_extra_day_off(database: Database) -> None:
    async with database.unit_of_work() as session:
        saturday = await calendar.add_override(
            session, day=date(2027, 2, 13), kind="workday", note="  Làm bù\u200b Tết  "
        )
        extra = await calendar.add_override(session, day=date(2027, 2, 12), kind="off")
    assert saturday is OverrideOutcome.ADDED and extra is OverrideOutcome.ADDED
    work = await load(database, date(2027, 2, 8), date(2027, 2, 14))
    assert work.is_working_day(date(2027, 2, 13)) and not work.is_makeup_day(date(2027, 2, 13))
    assert not work.is_working_day(date(2027, 2, 12))
    assert work.last_working_day_of_week(date(2027, 2, 8)) == date(2027, 2, 13)
    assert work.working_days_between(date(2027, 2, 8), date(2027, 2, 14)) == [
        date(2027, 2, 11),
        date(2027, 2, 13),
    ]
    override = work.override(date(2027, 2, 13))
    assert override is not None and override.note == "Làm bù Tết"
    # Without the make-up Saturday and with Thursday off too, the week has no working day left.
    async with database.unit_of_work() as session:
        assert await calendar.remove_override(session, day=date(2027, 2, 13))
        assert (
            await calendar.add_override(session, day=date(2027, 2, 11), kind="off") is OverrideOutcome.ADDED
        )
    work = await load(database, date(2027, 2, 8), date(2027, 2, 14))
    assert work.last_working_day_of_week(date(2027, 2, 10)) is None
    async with database.unit_of_work() as session:
        rows = await calendar.list_overrides(session, start=date(2027, 1, 1), end=date(2027, 12, 31))
    assert [(r.day, r.kind) for r in rows] == [(date(2027, 2, 11), "off"), (date(2027, 2, 12), "off")]


async def test_not_needed_replaced_and_removed(database: Database) -> None:
    async with database.unit_of_work() as session:
        outcomes = [
            await calendar.add_override(session, day=date(2027, 2, 1), kind="workday"),  # a Monday
            await calendar.add_override(session, day=date(2027, 2, 13), kind="off"),  # a Saturday
            await calendar.add_override(session, day=date(2027, 2, 8), kind="off"),  # Tết
            await calendar.add_override(session, day=date(2026, 8, 22), kind="workday"),  # government's
        ]
    assert outcomes == [OverrideOutcome.NOT_NEEDED] * 4
    async with database.unit_of_work() as session:
        assert await session.scalar(select(CalendarOverride)) is None  # nothing was written
        assert await calendar.add_override(session, day=date(2027, 3, 1), kind="off", note="a") is (
            OverrideOutcome.ADDED
        )
        assert await calendar.add_override(session, day=date(2027, 3, 1), kind="off", note="b") is (
            OverrideOutcome.NOT_NEEDED
        )
        assert await calendar.add_override(session, day=date(2027, 2, 9), kind="workday") is (
            OverrideOutcome.ADDED
        )
    async with database.unit_of_work() as session:
        replaced = await calendar.add_override(session, day=date(2027, 3, 1), kind="workday", note="c")
    assert replaced is OverrideOutcome.REPLACED
    work = await load(database, date(2027, 2, 8), date(2027, 3, 7))
    assert work.is_working_day(date(2027, 3, 1)) and work.is_working_day(date(2027, 2, 9))
    assert work.holiday_name(date(2027, 2, 9)) is not None  # still named, though the office works
    async with database.unit_of_work() as session:
        assert await calendar.remove_override(session, day=date(2027, 2, 9))
        assert not await calendar.remove_override(session, day=date(2027, 2, 9))
        assert not await calendar.remove_override(session, day=date(2027, 2, 10))
    work = await load(database, date(2027, 2, 8), date(2027, 2, 14))
    assert not work.is_working_day(date(2027, 2, 9))
    with pytest.raises(ValueError, match="unknown override kind"):
        async with database.unit_of_work() as session:
            await calendar.add_override(session, day=date(2027, 3, 2), kind="holiday")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-02-06", date(2027, 2, 6)),
        ("06/02/2027", date(2027, 2, 6)),
        ("6/2/2027", date(2027, 2, 6)),
        (" 6/2 ", date(2026, 2, 6)),
        ("6.2.2027", date(2027, 2, 6)),
        ("31/12", date(2026, 12, 31)),
        ("29/02/2028", date(2028, 2, 29)),
        ("29/02/2027", None),
        ("2/13/2027", None),
        ("13/13", None),
        ("06/02/27", None),
        ("1999-01-01", None),
        ("mùng 1 Tết", None),
        ("", None),
    ],
)
def test_parse_day(text: str, expected: date | None) -> None:
    assert parse_day(text, today=date(2026, 11, 23)) == expected


def test_parse_day_uses_the_year_in_viet_nam() -> None:
    # 18:00 UTC on New Year's Eve is already 01:00 on 1 January in Viet Nam.
    with use_clock(ShiftedClock(datetime(2026, 12, 31, 18, 0, tzinfo=UTC))):
        assert parse_day("6/2") == date(2027, 2, 6)


@pytest.mark.usefixtures("cli_environment")
def test_cli_lists_adds_and_removes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "add-workday", "13/02/2027", "--note", "Làm bù Tết"]) == 0
    assert main(["calendar", "add-off", "2027-02-12"]) == 0
    assert main(["calendar", "add-off", "13/02/2027"]) == 0  # replaces the make-up day
    assert main(["calendar", "add-workday", "13/02/2027"]) == 0
    assert main(["calendar", "add-workday", "15/02/2027"]) == 0  # a Monday: not needed
    assert main(["calendar", "remove", "12/02/2027"]) == 0
    assert main(["calendar", "remove", "12/02/2027"]) == 0
    with use_locale("vi"):
        expected = [
            _("Saved: {day} is now a working day.").format(day=day_text(date(2027, 2, 13))),
            _("Saved: {day} is now a day off.").format(day=day_text(date(2027, 2, 12))),
            _("Saved: {day} is now a day off.").format(day=day_text(date(2027, 2, 13))),
            _("Saved: {day} is now a working day.").format(day=day_text(date(2027, 2, 13))),
            _("{day} is already a working day; nothing changed.").format(day=day_text(date(2027, 2, 15))),
            _("Removed the office's change of {day}.").format(day=day_text(date(2027, 2, 12))),
            _("The office has not changed {day}; nothing to remove.").format(day=day_text(date(2027, 2, 12))),
        ]
    assert capsys.readouterr().out.splitlines() == expected
    assert main(["calendar", "list", "--year", "2027"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = holidays.country_holidays("VN", years=2027, language="vi")
    with use_locale("vi"):
        assert f"08/02/2027\t{_('day off: {holiday}').format(holiday=names[date(2027, 2, 8)])}" in lines
        assert f"13/02/2027\t{_('working day declared by the office')}" in lines
        assert f"03/05/2027\t{_('day off: {holiday}').format(holiday=names[date(2027, 5, 3)])}" in lines
    days = [line.split("\t")[0] for line in lines]
    assert days == sorted(days, key=lambda d: d[6:] + d[3:5] + d[:2])
    assert "06/02/2027" not in days  # Tết on a Saturday is a weekend day anyway
    assert main(["calendar", "list", "--year", "2026"]) == 0
    assert "22/08/2026\t" in capsys.readouterr().out  # the government's make-up Saturday


@pytest.mark.usefixtures("cli_environment")
def test_cli_refuses_a_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "add-off", "31/02/2027"]) == 1
    assert capsys.readouterr().err.strip() == "Không có ngày “31/02/2027” trên lịch."
    assert main(["calendar", "add-off", "Tết"]) == 1
    with use_locale("vi"):
        message = _("Not a date: {text} (write it like 22/08/2026 or 2026-08-22).").format(text="Tết")
    assert capsys.readouterr().err.strip() == message
    assert main(["calendar", "list", "--year", "1900"]) == 1
