"""python -m bot privacy purge [--dry-run]: delete what is past its retention period (docs/privacy.md).

Run it with --dry-run first: it counts, per kind of record, what a real run would delete, and changes
nothing. The real run deletes and erases in one transaction and writes one audit entry with the figures.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from bot.settings import Settings
from compliance.privacy import retention, retention_citizens
from handlers.i18n import _, fmt_number
from storage.clock import utcnow
from storage.engine import Database
from storage.migrate import upgrade


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    privacy = commands.add_parser("privacy", help="personal data: purge what is past retention")
    actions = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    purge = actions.add_parser("purge", help="delete what is past its retention period (docs/privacy.md)")
    purge.add_argument("--dry-run", action="store_true", help="count what would be deleted, change nothing")


def labels() -> dict[str, str]:
    return {
        "web_signins": _("Web sign-in links"),
        "web_sessions": _("Web sessions"),
        "activation_attempts": _("Wrong activation codes"),
        "activation_codes": _("Activation codes"),
        "processed_events": _("Zalo events already taken"),
        "zalo_conversations": _("Zalo open questions"),
        "messages": _("Messages sent by the bot"),
        "broadcast_copies": _("Copies of plan updates"),
        "join_requests": _("Refused or cancelled join requests"),
        retention.DEPARTED: _("Officials who left (personal data erased)"),
        retention_citizens.RATINGS: _("Citizens' ratings (contact, comment and dossier number erased)"),
        retention_citizens.LETTERS: _("Letters to citizens (the citizen's name and receipt number erased)"),
    }


async def run_privacy(settings: Settings, args: argparse.Namespace) -> int:
    await upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as session:
            report = await retention.purge(
                session,
                now=utcnow(),
                dry_run=args.dry_run,
                citizen_keep=timedelta(days=settings.citizen_data_retention_days),
            )
    finally:
        await database.dispose()
    names = labels()
    print(
        _("Dry run: nothing was changed.") if report.dry_run else _("Purged; the audit log has the figures.")
    )
    for key, count in report.counts.items():
        print(
            _("{what}: {n} (kept {days} days)").format(
                what=names.get(key, key), n=fmt_number(count), days=fmt_number(report.keep_days[key])
            )
        )
    return 0
