"""The government's calendar as data: the shipped 2026 file, loading a file (and a bad one), the office's
override winning over a loaded day, and the tick around Tết 2026 with a controlled clock."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from sqlalchemy import func, select

from bot.cli import main
from compliance.content import ContentError
from compliance.practice import calendar, calendar_data
from compliance.practice.calendar import WorkCalendar
from compliance.practice.calendar_data import LoadOutcome, load_calendar_bytes, load_shipped
from compliance.practice.planner import tick
from handlers.i18n import use_locale
from handlers.views.content_errors import content_error_text
from storage.engine import Database
from storage.models_broadcast import AuditEntry
from storage.models_practice import OfficialCalendarDay
from tests.test_planner import _populate, outbox

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SHIPPED_2026 = calendar_data.CONTENT_DIR / "vn-2026.yaml"


def local(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), VN)


def a_2027_file(**changes: object) -> dict[str, object]:
    """A made-up schedule for 2027 as the Ministry might announce it (not the real one: none exists yet)."""
    document: dict[str, object] = {
        "country": "VN",
        "year": 2027,
        "revision": 1,
        "sources": {
            "tb-test": {
                "kind": {"vi": "Thông báo", "en": "Notice"},
                "number": "1/TB-TEST",
                "date": "2026-10-01",
                "issuer": {"vi": "Bộ Nội vụ", "en": "the Ministry of Home Affairs"},
            }
        },
        "days": [
            {
                "date": "2027-02-11",
                "kind": "off",
                "source": "tb-test",
                "name": {"vi": "Nghỉ Tết", "en": "Tết"},
            },
            {
                "date": "2027-02-20",
                "kind": "workday",
                "source": "tb-test",
                "name": {"vi": "Làm bù", "en": "Made up"},
            },
        ],
    }
    document.update(changes)
    return document


def as_yaml(document: dict[str, object]) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True).encode()


async def load(database: Database, start: date, end: date) -> WorkCalendar:
    async with database.unit_of_work() as session:
        return await WorkCalendar.load(session, start=start, end=end)


async def test_the_shipped_2026_days(database: Database) -> None:
    shipped = load_calendar_bytes(SHIPPED_2026.read_bytes(), SHIPPED_2026.name)
    assert shipped.year == 2026 and all(d.source.number for d in shipped.days)
    async with database.unit_of_work() as session:
        assert [f.dataset for f in await load_shipped(session)] == ["vn-2026"]
    async with database.unit_of_work() as session:
        assert await load_shipped(session) == []  # idempotent: a restart loads nothing again
        assert await session.scalar(select(func.count()).select_from(OfficialCalendarDay)) == len(
            shipped.days
        )
    work = await load(database, date(2025, 12, 29), date(2026, 12, 31))
    off = [date(2026, 1, 1), date(2026, 1, 2), *(date(2026, 2, d) for d in range(14, 23))]
    off += [date(2026, 8, 29), date(2026, 8, 30), date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)]
    assert not any(work.is_working_day(d) for d in off)
    # The package alone does not know the New Year swap: Friday 02/01 off, Saturday 10/01 worked.
    assert work.is_working_day(date(2026, 1, 10)) and work.is_makeup_day(date(2026, 1, 10))
    assert work.is_working_day(date(2026, 8, 22)) and work.is_makeup_day(date(2026, 8, 22))
    assert work.is_working_day(date(2026, 2, 13)) and work.is_working_day(date(2026, 2, 23))
    assert (
        work.holiday_name(date(2026, 1, 2), locale="en")
        == "New Year holiday (swapped, made up on Saturday 10 Jan)"
    )
    loaded = work.official(date(2026, 2, 17))
    assert loaded is not None and loaded.source["number"] == "9441/TB-BNV"
    assert loaded.source["date"] == "2025-10-16"
    assert work.official(date(2026, 1, 10)) is not None
    assert work.official(date(2026, 1, 10)).source["number"] == "12729/VPCP-KGVX"  # type: ignore[union-attr]


async def test_2027_follows_the_package_until_a_file_is_loaded(database: Database) -> None:
    before = await load(database, date(2027, 2, 8), date(2027, 2, 21))
    assert before.is_working_day(date(2027, 2, 11)) and not before.is_working_day(date(2027, 2, 20))
    async with database.unit_of_work() as session:
        result = await calendar_data.apply_file(
            session, load_calendar_bytes(as_yaml(a_2027_file()), "vn-2027.yaml")
        )
    assert (result.outcome, result.added) == (LoadOutcome.LOADED, 2)
    after = await load(database, date(2027, 2, 8), date(2027, 2, 21))
    assert not after.is_working_day(date(2027, 2, 11)) and after.is_working_day(date(2027, 2, 20))
    assert after.holiday_name(date(2027, 2, 11), locale="en") == "Tết"
    async with database.unit_of_work() as session:
        again = await calendar_data.apply_file(session, load_calendar_bytes(as_yaml(a_2027_file()), "x.yaml"))
        assert again.outcome is LoadOutcome.UNCHANGED
        # A corrected file replaces the year: the make-up Saturday dropped, counted as removed.
        days = a_2027_file()["days"]
        assert isinstance(days, list)
        fixed = calendar_data.parse_calendar(a_2027_file(revision=2, days=days[:1]), "vn-2027.yaml")
        assert (await calendar_data.apply_file(session, fixed)).removed == 1
        actions = (
            await session.scalars(select(AuditEntry.action).where(AuditEntry.action == "calendar.load"))
        ).all()
        assert len(actions) == 2
    final = await load(database, date(2027, 2, 15), date(2027, 2, 21))
    assert not final.is_working_day(date(2027, 2, 20))


async def test_the_office_override_wins_over_a_loaded_day(database: Database) -> None:
    async with database.unit_of_work() as session:
        await load_shipped(session)
        # Friday 02/01/2026 is off by the government's file; the office works it anyway.
        added = await calendar.add_override(session, day=date(2026, 1, 2), kind=calendar.WORKDAY, note="Trực")
        assert added is calendar.OverrideOutcome.ADDED
        # Saturday 10/01 is already a working day by the file: nothing to declare.
        same = await calendar.add_override(session, day=date(2026, 1, 10), kind=calendar.WORKDAY)
        assert same is calendar.OverrideOutcome.NOT_NEEDED
        await calendar.add_override(session, day=date(2026, 1, 10), kind=calendar.OFF)
    work = await load(database, date(2025, 12, 29), date(2026, 1, 11))
    assert work.is_working_day(date(2026, 1, 2)) and not work.is_working_day(date(2026, 1, 10))
    assert work.official(date(2026, 1, 2)) is not None  # still known, just overridden


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"country": "LA"}, "bad_country"),
        ({"year": 1999}, "bad_number_range"),
        (
            {
                "days": [
                    {"date": "2026-02-11", "kind": "off", "source": "tb-test", "name": {"vi": "a", "en": "a"}}
                ]
            },
            "not_in_year",
        ),
        (
            {
                "days": [
                    {"date": "2027-02-13", "kind": "off", "source": "tb-test", "name": {"vi": "a", "en": "a"}}
                ]
            },
            "weekend_off",
        ),
        (
            {
                "days": [
                    {
                        "date": "2027-02-12",
                        "kind": "workday",
                        "source": "tb-test",
                        "name": {"vi": "a", "en": "a"},
                    }
                ]
            },
            "weekday_workday",
        ),
        (
            {
                "days": [
                    {"date": "2027-02-12", "kind": "off", "source": "nowhere", "name": {"vi": "a", "en": "a"}}
                ]
            },
            "unknown_source",
        ),
        (
            {
                "days": [
                    {
                        "date": "2027-02-12",
                        "kind": "holiday",
                        "source": "tb-test",
                        "name": {"vi": "a", "en": "a"},
                    }
                ]
            },
            "bad_kind",
        ),
        (
            {
                "days": [
                    {
                        "date": "2027-02-12",
                        "kind": "off",
                        "source": ["tb-test"],
                        "name": {"vi": "a", "en": "a"},
                    }
                ]
            },
            "unknown_source",
        ),
        (
            {"days": [{"date": "2027-02-12", "kind": "off", "source": "tb-test", "name": {"vi": "a"}}]},
            "missing_text",
        ),
        ({"sources": {"tb-test": {"kind": {"vi": "Thông báo", "en": "Notice"}}}}, "missing"),
    ],
)
def test_a_bad_file_is_refused_with_where_and_why(changes: dict[str, object], code: str) -> None:
    with pytest.raises(ContentError) as refused:
        load_calendar_bytes(as_yaml(a_2027_file(**changes)), "vn-2027.yaml")
    assert refused.value.code == code
    with use_locale("en"):
        assert refused.value.source in content_error_text(refused.value, with_source=True)


@pytest.mark.usefixtures("cli_environment")
def test_cli_loads_next_years_file_and_refuses_a_bad_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    bad = tmp_path / "vn-2027-bad.yaml"
    bad.write_bytes(
        as_yaml(
            a_2027_file(
                days=[
                    {"date": "2027-02-13", "kind": "off", "source": "tb-test", "name": {"vi": "a", "en": "a"}}
                ]
            )
        )
    )
    assert main(["calendar", "load", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "vn-2027-bad.yaml" in err and "2027-02-13" in err
    assert main(["calendar", "load", str(tmp_path / "missing.yaml")]) == 1
    capsys.readouterr()
    good = tmp_path / "vn-2027.yaml"
    good.write_bytes(as_yaml(a_2027_file()))
    assert main(["calendar", "load", str(good)]) == 0
    assert "2027" in capsys.readouterr().out
    assert main(["calendar", "list", "--year", "2027"]) == 0
    listed = capsys.readouterr().out
    assert "11/02/2027\t" in listed and "20/02/2027\t" in listed
    # The list also loaded the shipped 2026 file (start-up load): the New Year swap is there.
    assert main(["calendar", "list", "--year", "2026"]) == 0
    listed = capsys.readouterr().out
    assert "02/01/2026\t" in listed and "10/01/2026\t" in listed


async def test_reminders_around_tet_2026_with_a_controlled_clock(database: Database) -> None:
    """From Friday 13/02 to Monday 23/02/2026: the daily reminder goes out on the two working days only."""
    start = local(date(2026, 2, 13), 0)
    with time_machine.travel(start - timedelta(days=7), tick=False):
        await _populate(database)
        async with database.unit_of_work() as session:
            await load_shipped(session)
    moment = start
    while moment <= local(date(2026, 2, 23), 23):
        with time_machine.travel(moment, tick=False):
            async with database.unit_of_work() as session:
                await tick(session)
        moment += timedelta(hours=3)
    days = sorted({r.payload["day"] for r in await outbox(database) if r.kind == "reminder"})
    assert days == ["2026-02-13", "2026-02-23"]


async def test_replicas_starting_together_load_the_shipped_calendars_once(database: Database) -> None:
    """Two processes start at once (a scale-out deploy): both load the shipped files in their own
    transaction; one waits for the other and then finds the days there (it failed on the unique day)."""
    if database.dialect != "postgresql":
        pytest.skip("replicas share PostgreSQL (SQLite is one process)")

    async def start_up() -> list[str]:
        async with database.unit_of_work() as session:
            return [f.dataset for f in await load_shipped(session)]

    first, second = await asyncio.gather(start_up(), start_up())
    assert sorted([first, second]) == [[], ["vn-2026"]]
    async with database.unit_of_work() as session:
        days = await session.scalar(select(func.count()).select_from(OfficialCalendarDay))
        loads = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "calendar.load")
        )
    assert days == len(load_calendar_bytes(SHIPPED_2026.read_bytes(), SHIPPED_2026.name).days) and loads == 1
