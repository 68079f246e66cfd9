"""python -m bot schedule …: the office's schedule, or one unit's, and changing it."""

from __future__ import annotations

import argparse
import html
import re
import sys

from bot.settings import Settings
from compliance.office.units import get_unit_by_code
from compliance.practice import schedules
from compliance.practice.schedules import ScheduleError
from handlers.i18n import _
from handlers.views.schedule import field_name, problem_text, value_text
from storage.engine import Database
from storage.migrate import upgrade


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    schedule = commands.add_parser("schedule", help="show or change reminder, self-check and quiz times")
    actions = schedule.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="the effective schedule")
    show.add_argument("--unit", help="unit code (default: the whole office)")
    change = actions.add_parser("set", help="set one field, e.g. reminder_time 07:30 or quiz_weekday Wed")
    change.add_argument("field", help="a field name, in English or Vietnamese (giờ-nhắc …)")
    change.add_argument("value")
    change.add_argument("--unit", help="unit code (default: the whole office)")
    clear = actions.add_parser("clear", help="a unit inherits the field again")
    clear.add_argument("field", help="a field name, in English or Vietnamese")
    clear.add_argument("--unit", required=True)


def _clean(text: str) -> str:
    # The chat's texts are HTML; the terminal shows them plain.
    return html.unescape(re.sub(r"<[^>]+>", "", text))


async def run_schedule(settings: Settings, args: argparse.Namespace) -> int:
    await upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as session:
            unit = await get_unit_by_code(session, args.unit) if args.unit else None
            if args.unit and unit is None:
                print(_("Unit not found: {code}").format(code=args.unit), file=sys.stderr)
                return 1
            if args.action == "show":
                effective = (await schedules.load_schedules(session)).for_unit(unit.id if unit else None)
            else:
                try:
                    effective = await schedules.set_field(
                        session,
                        unit=unit,
                        field=args.field,
                        value=args.value if args.action == "set" else None,
                    )
                except ScheduleError as error:
                    print(
                        _clean(problem_text(error, args.value if args.action == "set" else None)),
                        file=sys.stderr,
                    )
                    return 1
        for field in schedules.FIELDS:
            print(f"{field_name(field)}\t{value_text(field, getattr(effective, field))}")
        return 0
    finally:
        await database.dispose()
