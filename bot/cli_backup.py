"""python -m bot backup FILE: a consistent copy of the SQLite database, taken while the bot runs."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path

from bot.settings import Settings
from handlers.i18n import _
from storage.backup import BackupError, backup_sqlite


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    backup = commands.add_parser(
        "backup", help="copy the SQLite database while the bot runs (PostgreSQL: use pg_dump)"
    )
    backup.add_argument("file", type=Path)


def run_backup(settings: Settings, args: argparse.Namespace) -> int:
    source = settings.sqlite_path()
    if source is None:
        print(
            _(
                "DATABASE_URL points at PostgreSQL: back it up with PostgreSQL's own tools, for example "
                "pg_dump -Fc -f camket.dump DATABASE (restore with pg_restore). See “Backup” in README.md."
            ),
            file=sys.stderr,
        )
        return 2
    folder = args.file.parent
    if not folder.is_dir():
        print(_("cannot write to {folder}: no such folder").format(folder=folder), file=sys.stderr)
        return 2
    if not os.access(folder, os.W_OK | os.X_OK):
        print(_("cannot write to {folder}: permission denied").format(folder=folder), file=sys.stderr)
        return 2
    shown = -1

    def progress(done: int, total: int) -> None:
        nonlocal shown
        percent = done * 100 // max(total, 1)
        if percent // 10 != shown // 10 or done == total:
            shown = percent
            print(_("{percent}% ({done} of {total} pages)").format(percent=percent, done=done, total=total))

    try:
        result = backup_sqlite(source, args.file, progress=progress)
    except (BackupError, OSError, sqlite3.Error) as exc:
        # The disk filling up or a file in the way: one line that says why, never a traceback.
        print(_("Backup failed: {reason}").format(reason=exc), file=sys.stderr)
        return 1
    print(
        _(
            "Backup written to {file}: {pages} pages, {size} bytes, in {seconds:.1f} s; "
            "integrity check: {check}."
        ).format(
            file=args.file,
            pages=result.pages,
            size=result.bytes,
            seconds=result.seconds,
            check=result.integrity,
        )
    )
    return 0
