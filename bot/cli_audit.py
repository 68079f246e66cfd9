"""python -m bot audit --since YYYY-MM-DD: the audit log since a day, one tab-separated line per entry."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from bot.settings import Settings
from compliance import audit
from handlers.i18n import _
from storage.engine import Database
from storage.migrate import upgrade


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "audit",
        help="print the audit log since a day: time, who, action, subject, before and after (JSON)",
    )
    parser.add_argument("--since", required=True, help="a day in Viet Nam's calendar, YYYY-MM-DD")


def _clean(text: str) -> str:
    # A tab or newline inside a field would break the one-line-per-entry, tab-separated output.
    return text.replace("\t", " ").replace("\n", " ")


async def run_audit(settings: Settings, args: argparse.Namespace) -> int:
    try:
        day = date.fromisoformat(args.since)
    except ValueError:
        print(_("Not a date: {text} (write it as YYYY-MM-DD).").format(text=args.since), file=sys.stderr)
        return 2
    await upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as session:
            lines = await audit.latest(session, since=audit.start_of_local_day(day), limit=None)
        for line in lines:
            fields = [
                line.at.astimezone(audit.LOCAL_TZ).isoformat(timespec="seconds"),
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
