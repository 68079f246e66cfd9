"""python -m bot erase PHONE [--yes]: an admin erases the personal data of a person who left."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.settings import Settings
from compliance.privacy import erasure
from compliance.privacy.erasure import EraseOutcome
from handlers.i18n import _
from handlers.views.personal_data import refusal
from storage.engine import Database
from storage.migrate import upgrade


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    erase = commands.add_parser(
        "erase", help="erase the personal data of a person who left (the ledger stays verifiable)"
    )
    erase.add_argument("phone", help="their phone number on the staff list")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")


async def run_erase(settings: Settings, args: argparse.Namespace) -> int:
    await upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as session:
            target = await erasure.find_target(session, phone=args.phone, actor=None)
            if target.outcome is not EraseOutcome.FOUND:
                print(refusal(target.outcome), file=sys.stderr)
                return 1
            assert target.official_id is not None
            print(
                _("{name} ({unit}), {n} signatures.").format(
                    name=target.full_name, unit=target.unit_name or "—", n=target.signatures
                )
            )
            if not args.yes:
                answer = await asyncio.to_thread(input, _("Type yes to erase their personal data: "))
                if answer.strip().lower() not in ("yes", "y", "có", "co"):
                    print(_("Cancelled. Nothing was changed."))
                    return 1
            result = await erasure.erase(session, official_id=target.official_id, actor=None)
            if result.outcome is not EraseOutcome.ERASED:
                print(refusal(result.outcome), file=sys.stderr)
                return 1
        print(_("Erased: official #{id}. Their signatures stay in the ledger.").format(id=result.official_id))
        return 0
    finally:
        await database.dispose()
