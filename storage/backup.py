"""A consistent copy of the SQLite database while the bot keeps writing to it: SQLite's online backup.

The copy goes in steps of a few thousand pages, each a short read, so the bot's writers are never held
up (in WAL mode a reader blocks no writer anyway). A write between two steps makes SQLite start the copy
over, so what comes out is always one committed state. A database written to without pause could
restart a stepped copy for ever: after a few restarts the rest is copied in one read transaction,
which in WAL mode still lets the bot write meanwhile.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

PAGES_PER_STEP = 4096  # 16 MB with SQLite's default 4 KB pages
MAX_RESTARTS = 3

Progress = Callable[[int, int], None]  # (pages copied, pages in all)


class BackupError(Exception):
    pass


class _Restarting(Exception):
    """Raised from the progress callback to leave a stepped copy that keeps starting over."""


@dataclass(frozen=True)
class BackupResult:
    pages: int
    bytes: int
    seconds: float
    restarts: int
    integrity: str


def backup_sqlite(
    source: Path, target: Path, *, pages_per_step: int = PAGES_PER_STEP, progress: Progress | None = None
) -> BackupResult:
    """Copy `source` to `target` (written beside it first and renamed, so a failed copy leaves no file
    that looks like a backup), then check the copy with PRAGMA integrity_check."""
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    if target.resolve() == source.resolve():
        raise BackupError("the backup would overwrite the database itself")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    started = time.monotonic()
    restarts = 0
    total = 0
    with _connect(source) as database, _connect(partial) as copy:
        last_remaining: int | None = None

        def step(_status: int, remaining: int, pages: int) -> None:
            nonlocal restarts, total, last_remaining
            total = pages
            if last_remaining is not None and remaining > last_remaining:
                restarts += 1
                if restarts > MAX_RESTARTS:
                    raise _Restarting
            last_remaining = remaining
            if progress is not None:
                progress(pages - remaining, pages)

        try:
            database.backup(copy, pages=pages_per_step, progress=step, sleep=0.01)
        except _Restarting:
            last_remaining = None
            database.backup(copy, pages=-1, progress=step)
        # One self-contained file: the source's WAL mode would otherwise be copied along.
        copy.execute("PRAGMA journal_mode=DELETE")
        integrity = str(copy.execute("PRAGMA integrity_check").fetchone()[0])
    if integrity != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {integrity}")
    os.replace(partial, target)
    return BackupResult(total, target.stat().st_size, time.monotonic() - started, restarts, integrity)


def _connect(path: Path) -> closing[sqlite3.Connection]:
    # sqlite3's own context manager ends a transaction but does not close the connection.
    return closing(sqlite3.connect(path, timeout=30))
