"""python -m bot web-link PHONE [--next PATH]: a one-time link to the web pages, without any chat (the first
admin's way in, or support for a person whose chat is lost)."""

from __future__ import annotations

import argparse
import sys

from bot.settings import Settings
from compliance.office.web_access import issue_link, official_by_phone
from compliance.privacy.audit import record
from handlers.i18n import _
from storage.engine import Database
from storage.migrate import upgrade

SIGN_IN_PATH = "/signin/"


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    link = commands.add_parser(
        "web-link", help="print a one-time sign-in link to the web pages (works once, for 10 minutes)"
    )
    link.add_argument("phone", help="the person's phone number on the staff list")
    link.add_argument("--next", default="/", help="the page it opens after signing in (a path, e.g. /)")


async def run_web_link(settings: Settings, args: argparse.Namespace) -> int:
    await upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as session:
            official = await official_by_phone(session, args.phone)
            if official is None:
                print(_("Nobody on the staff list has the phone number {phone}.").format(phone=args.phone),
                      file=sys.stderr)  # fmt: skip
                return 1
            token = await issue_link(session, official_id=official.id, issued_by="cli", next_path=args.next)
            await record(session, actor=None, action="web.link", subject=f"official:{official.id}")
        print(settings.public_url + SIGN_IN_PATH + token)
        return 0
    finally:
        await database.dispose()
