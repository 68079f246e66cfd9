"""python -m bot audit --since DAY: the audit log since a day, one tab-separated line per entry.

In words by default (the office's language, Viet Nam's time, as /audit shows it); `--raw` keeps the stored
codes, ISO times and JSON, for a program or an auditor's spreadsheet.
"""

from __future__ import annotations

import argparse
import sys

from bot.settings import Settings
from compliance.practice.calendar import parse_day
from compliance.privacy import audit
from handlers.i18n import _
from handlers.views.audit import entry_fields
from storage.clock import LOCAL_TZ
from storage.engine import Database
from storage.migrate import upgrade


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "audit",
        help="print the audit log since a day: time, who, action, subject, before and after (JSON)",
    )
    parser.add_argument(
        "--since", required=True, help="a day in Viet Nam's calendar: 01/12/2026 or 2026-12-01"
    )
    parser.add_argument(
        "--raw", action="store_true", help="stored codes, ISO times and JSON instead of words (for programs)"
    )


def _clean(text: str) -> str:
    # A tab or newline inside a field would break the one-line-per-entry, tab-separated output.
    return text.replace("\t", " ").replace("\n", " ")


async def run_audit(settings: Settings, args: argparse.Namespace) -> int:
    day = parse_day(args.since)
    if day is None:
        print(_("Not a date: {text} (write it like 01/12/2026).").format(text=args.since), file=sys.stderr)
        return 2
    await upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as session:
            lines = await audit.latest(session, since=audit.start_of_local_day(day), limit=None)
            names = await audit.subject_names(session, lines)
        for line in lines:
            fields = entry_fields(line, names)
            if args.raw:
                fields = [
                    line.at.astimezone(LOCAL_TZ).isoformat(timespec="seconds"),
                    line.actor,
                    line.action,
                    line.subject,
                    audit.as_json(line.before),
                    audit.as_json(line.after),
                ]
            print("\t".join(_clean(f) for f in fields))
        return 0
    finally:
        await database.dispose()
