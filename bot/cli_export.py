"""python -m bot export --period 2027Q1|2027 [--unit CODE] FILE.xlsx: the emulation review's workbook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.settings import Settings
from compliance.office.units import get_unit_by_code
from compliance.reports.review import (
    parse_review_period,
    review_rows,
    review_satisfaction,
    review_stars,
    review_workbook,
)
from handlers.i18n import _
from handlers.views.report_files import citizens_labels, review_header, satisfaction_sheet
from storage.clock import local_today
from storage.engine import Database
from storage.migrate import upgrade


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = commands.add_parser("export", help="the emulation review (thi đua): one row per official")
    export.add_argument("--period", required=True, help="a year (2027) or a quarter (2027Q1)")
    export.add_argument("--unit", help="unit code (default: the whole office)")
    export.add_argument("file", type=Path)


async def run_export(settings: Settings, args: argparse.Namespace) -> int:
    period = parse_review_period(args.period)
    if period is None:
        print(_("The period must be a year (2027) or a quarter (2027Q1)."), file=sys.stderr)
        return 2
    await upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as session:
            unit = await get_unit_by_code(session, args.unit) if args.unit else None
            if args.unit and unit is None:
                print(_("Unit not found: {code}").format(code=args.unit), file=sys.stderr)
                return 1
            units, rows = await review_rows(session, root=unit, period=period)
            # The units' stars of the same period and scope, as the chat's review button adds them.
            stars = await review_stars(session, period, root=unit, today=local_today())
            rated = satisfaction_sheet(*await review_satisfaction(session, units, period))
        sheet = (stars, citizens_labels(stars)) if stars is not None else None
        args.file.write_bytes(review_workbook(units, rows, review_header(), sheet, rated))
        print(
            _("{n} officials in {units} units written to {file}.").format(
                n=len(rows), units=len(units), file=args.file
            )
        )
        return 0
    finally:
        await database.dispose()
