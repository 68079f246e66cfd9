"""python -m bot calendar …: list the year's days off and make-up days, declare or undo the office's own,
load the government's schedule for a year from a file."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from bot.settings import Settings
from compliance.content import ContentError
from compliance.practice import calendar, calendar_data
from compliance.practice.calendar import OverrideOutcome, WorkCalendar
from handlers.i18n import _, current_locale, fmt_date
from handlers.views.calendar import day_text, reason_text
from handlers.views.content_errors import content_error_text
from storage.clock import local_today
from storage.engine import Database
from storage.migrate import upgrade


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("calendar", help="working days: list, add days off and make-up days")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="weekdays off and make-up working days of a year")
    listing.add_argument("--year", type=int, help="default: this year")
    for name, text in (
        ("add-off", "make DATE a day off for the whole office"),
        ("add-workday", "make DATE a working day (a make-up day)"),
    ):
        add = actions.add_parser(name, help=text)
        add.add_argument("date", help="22/08/2026, 22/8 (this year) or 2026-08-22")
        add.add_argument("--note", help="why, shown with the day")
    remove = actions.add_parser("remove", help="undo the office's change of DATE")
    remove.add_argument("date", help="22/08/2026, 22/8 (this year) or 2026-08-22")
    load = actions.add_parser(
        "load", help="load a year's official days off and make-up days from a file (content/calendar/)"
    )
    load.add_argument("file", type=Path, help="e.g. content/calendar/vn-2027.yaml")


async def load_shipped_calendars(database_url: str) -> None:
    """The shipped calendar files for the years nothing was loaded for (see calendar_data): at start."""
    database = Database(database_url)
    try:
        async with database.unit_of_work() as session:
            await calendar_data.load_shipped(session)
    finally:
        await database.dispose()


async def _load_file(settings: Settings, path: Path) -> int:
    try:
        content = await asyncio.to_thread(path.read_bytes)
    except OSError:
        print(_("File not found: {path}").format(path=path), file=sys.stderr)
        return 1
    try:
        data = calendar_data.load_calendar_bytes(content, path.name)
    except ContentError as exc:
        print(content_error_text(exc, with_source=True), file=sys.stderr)
        print(_("Nothing was loaded."), file=sys.stderr)
        return 1
    await upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as session:
            result = await calendar_data.apply_file(session, data)
    finally:
        await database.dispose()
    if result.outcome is calendar_data.LoadOutcome.UNCHANGED:
        print(_("The calendar of {year} already holds these days; nothing changed.").format(year=data.year))
        return 0
    print(
        _(
            "Loaded the official calendar of {year}: {days} days ({added} new, {changed} changed, "
            "{removed} removed)."
        ).format(
            year=data.year,
            days=len(data.days),
            added=result.added,
            changed=result.changed,
            removed=result.removed,
        )
    )
    return 0


async def run_calendar(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "load":
        return await _load_file(settings, args.file)
    day: date | None = None
    if args.action != "list":
        typed = calendar.read_day(args.date)
        if typed is calendar.DayProblem.NO_SUCH_DAY:
            print(_("There is no day “{text}” in the calendar.").format(text=args.date), file=sys.stderr)
            return 1
        if not isinstance(typed, date):
            print(
                _("Not a date: {text} (write it like 22/08/2026 or 2026-08-22).").format(text=args.date),
                file=sys.stderr,
            )
            return 1
        day = typed
    year: int = args.year if args.action == "list" and args.year else local_today().year
    if not calendar.FIRST_YEAR <= year <= calendar.LAST_YEAR:
        print(
            _("The year must be between {first} and {last}.").format(
                first=calendar.FIRST_YEAR, last=calendar.LAST_YEAR
            ),
            file=sys.stderr,
        )
        return 1
    await upgrade(settings.database_url)
    await load_shipped_calendars(settings.database_url)
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as session:
            if day is None:
                start, end = date(year, 1, 1), date(year, 12, 31)
                work = await WorkCalendar.load(session, start=start, end=end)
                for special in work.special_days(start, end, locale=current_locale()):
                    print(f"{fmt_date(special.day)}\t{reason_text(special)}")
                return 0
            if args.action == "remove":
                removed = await calendar.remove_override(session, day=day)
                text = (
                    _("Removed the office's change of {day}.")
                    if removed
                    else _("The office has not changed {day}; nothing to remove.")
                )
                print(text.format(day=day_text(day)))
                return 0
            off = args.action == "add-off"
            outcome = await calendar.add_override(
                session, day=day, kind=calendar.OFF if off else calendar.WORKDAY, note=args.note
            )
        if outcome is OverrideOutcome.NOT_NEEDED:
            text = (
                _("{day} is already a day off; nothing changed.")
                if off
                else _("{day} is already a working day; nothing changed.")
            )
        else:
            text = _("Saved: {day} is now a day off.") if off else _("Saved: {day} is now a working day.")
        print(text.format(day=day_text(day)))
        return 0
    finally:
        await database.dispose()
