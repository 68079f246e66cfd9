"""python -m bot …: run the bot, migrate, import a staff list, seed a demo office."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot import (
    cli_audit,
    cli_backup,
    cli_calendar,
    cli_erase,
    cli_export,
    cli_pledge,
    cli_poster,
    cli_privacy,
    cli_schedule,
    cli_web,
)
from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings
from compliance.office.demo import seed_demo
from compliance.office.staff_file import StaffFileError
from compliance.office.staff_import import apply_rows, plan_import
from handlers.i18n import _, load_catalogs, set_locale
from handlers.views.staff import file_error_text, row_error_text
from storage.engine import Database
from storage.migrate import upgrade

NO_TOKEN = """Neither BOT_TOKEN (Telegram) nor ZALO_BOT_TOKEN (Zalo) is set, so the bot cannot start.

For Telegram: open @BotFather, send /newbot, choose a name and a username, and copy the token it gives
you (it looks like 123456789:AA...). For Zalo: open Zalo Bot Manager in Zalo, choose "Tạo bot", and copy
the token that arrives in your Zalo messages. Then put one or both in a .env file beside README.md:

    BOT_TOKEN=123456789:AA...
    ZALO_BOT_TOKEN=...

or export them in your shell, and start again."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Cam Kết Bot: the friendly-office pledge."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run",
        help="migrate the database, then serve the web pages, Telegram (polling, or webhook if "
        "WEBHOOK_URL is set) and Zalo (polling, or webhook if PUBLIC_URL is https) on PORT",
    )
    commands.add_parser("migrate", help="upgrade the database to the latest schema")
    staff = commands.add_parser("import-staff", help="import a staff list (.xlsx or .csv)")
    staff.add_argument("file", type=Path)
    staff.add_argument("--dry-run", action="store_true", help="check every row and change nothing")
    commands.add_parser("demo-data", help="seed a demo office (a commune's UBND and a Sở, 40 officials)")
    cli_pledge.add_commands(commands)
    cli_schedule.add_commands(commands)
    cli_export.add_commands(commands)
    cli_calendar.add_commands(commands)
    cli_erase.add_commands(commands)
    cli_privacy.add_commands(commands)
    cli_audit.add_commands(commands)
    cli_backup.add_commands(commands)
    cli_web.add_commands(commands)
    cli_poster.add_commands(commands)
    return parser


# Subcommands of their own modules, each `async (settings, args) -> exit code`.
SUBCOMMANDS: dict[str, Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "export": cli_export.run_export,
    "schedule": cli_schedule.run_schedule,
    "pledge": cli_pledge.run_pledge,
    "ledger": cli_pledge.run_ledger,
    "calendar": cli_calendar.run_calendar,
    "erase": cli_erase.run_erase,
    "privacy": cli_privacy.run_privacy,
    "audit": cli_audit.run_audit,
    "web-link": cli_web.run_web_link,
    "poster": cli_poster.run_poster,
}


def main(
    argv: list[str] | None = None,
    *,
    configure: Callable[[Application], None] | None = None,  # type: ignore[type-arg]
) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    setup_logging(settings.log_level, secrets=settings.secrets())
    load_catalogs()
    set_locale(settings.default_locale)
    if args.command == "run":
        return run(settings, configure=configure)
    if args.command == "migrate":
        asyncio.run(upgrade(settings.database_url))
        asyncio.run(cli_calendar.load_shipped_calendars(settings.database_url))
        print(_("Database is up to date."))
        return 0
    if args.command == "import-staff":
        if not args.file.is_file():
            print(_("File not found: {path}").format(path=args.file), file=sys.stderr)
            return 2
        return asyncio.run(
            import_staff(settings, args.file.name, args.file.read_bytes(), dry_run=args.dry_run)
        )
    if args.command == "demo-data":
        return asyncio.run(demo_data(settings))
    subcommand = SUBCOMMANDS.get(args.command)
    if subcommand is not None:
        return asyncio.run(subcommand(settings, args))
    if args.command == "backup":
        return cli_backup.run_backup(settings, args)
    return 2


def run(
    settings: Settings,
    *,
    configure: Callable[[Application], None] | None = None,  # type: ignore[type-arg]
) -> int:
    """Migrate and serve until stopped; `configure` may adjust the built application (tests of whole
    processes set the tick's clock through it)."""
    if settings.bot_token is None and settings.zalo_bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    # Imported when serving: the other commands need neither the server nor the handlers' registry.
    from bot.application import build_application
    from bot.server import CannotListen, ChannelService, serve
    from bot.telegram_channel import TelegramChannel
    from bot.zalo_channel import ZaloChannel

    asyncio.run(upgrade(settings.database_url))
    # The shipped official calendars (content/calendar/) before anything plans by working days.
    asyncio.run(cli_calendar.load_shipped_calendars(settings.database_url))
    database = Database(settings.database_url)
    channels: list[ChannelService] = []
    if settings.bot_token is not None:
        application = build_application(settings, database)
        if configure is not None:
            configure(application)
        channels.append(TelegramChannel(application, settings))
    if settings.zalo_bot_token is not None:
        channels.append(ZaloChannel.from_settings(settings, database, run_ticks=settings.bot_token is None))

    async def serve_until_stopped() -> None:
        try:
            await serve(settings, database, channels)
        finally:
            await database.dispose()

    try:
        asyncio.run(serve_until_stopped())
    except CannotListen as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


async def import_staff(settings: Settings, file_name: str, content: bytes, *, dry_run: bool) -> int:
    await upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as session:
            try:
                plan = await plan_import(session, file_name=file_name, content=content)
            except StaffFileError as exc:
                print(file_error_text(exc), file=sys.stderr)
                return 1
            for error in plan.errors:
                print(row_error_text(error))
            print(
                _(
                    "{rows} rows: {create} new, {update} updated, {units} new units, {errors} with errors."
                ).format(
                    rows=plan.total,
                    create=plan.to_create,
                    update=plan.to_update,
                    units=plan.new_units,
                    errors=len({e.row for e in plan.errors}),
                )
            )
            if dry_run:
                await session.rollback()
                print(_("Dry run: nothing was changed."))
                return 1 if plan.errors else 0
            if plan.errors:
                print(_("Nothing was imported: fix the rows above and run again."), file=sys.stderr)
                return 1
            created, updated = await apply_rows(session, plan.rows, file_name=file_name)
        print(
            _("Import done: {created} new officials, {updated} updated.").format(
                created=created, updated=updated
            )
        )
        return 0
    finally:
        await database.dispose()


async def demo_data(settings: Settings) -> int:
    await upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as session:
            created, updated = await seed_demo(session)
        print(
            _("Demo office ready: {created} new officials, {updated} updated.").format(
                created=created, updated=updated
            )
        )
        return 0
    finally:
        await database.dispose()
