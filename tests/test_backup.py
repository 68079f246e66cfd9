"""python -m bot backup FILE: SQLite's online backup while another connection writes; PostgreSQL refused."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from bot.cli import main
from storage.backup import MAX_RESTARTS, backup_sqlite
from tests.dbs import SqliteDatabases

ROWS_BEFORE = 3000


def database_file(sqlite_databases: SqliteDatabases) -> Path:
    """A migrated database with a few hundred pages of officials."""
    path = Path(sqlite_databases.new().removeprefix("sqlite+aiosqlite:///"))
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executemany(
            "INSERT INTO officials (full_name, name_key, role, status, created_at, updated_at) "
            "VALUES (?, ?, 'official', 'active', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            [(f"Nguyễn Văn {n:05d} " + "x" * 100, f"nguyễn văn {n:05d}") for n in range(ROWS_BEFORE)],
        )
    connection.close()
    return path


def insert_one(path: Path, n: int) -> None:
    with sqlite3.connect(path, timeout=30) as connection:
        connection.execute(
            "INSERT INTO officials (full_name, name_key, role, status, created_at, updated_at) "
            "VALUES (?, ?, 'official', 'active', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            (f"Người mới {n}", f"người mới {n}"),
        )
    connection.close()


def check_copy(path: Path) -> int:
    """The copy opens on its own, passes integrity_check, and is one file (no WAL beside it)."""
    with sqlite3.connect(path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        names = [row[0] for row in copy.execute("SELECT name_key FROM officials ORDER BY id")]
    copy.close()
    assert names[:ROWS_BEFORE] == [f"nguyễn văn {n:05d}" for n in range(ROWS_BEFORE)]
    return len(names)


def test_a_backup_taken_while_another_connection_writes_is_whole(
    sqlite_databases: SqliteDatabases, tmp_path: Path
) -> None:
    source = database_file(sqlite_databases)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:  # the bot, writing all through the backup
        while not stop.is_set():
            insert_one(source, len(written))
            written.append(1)

    thread = threading.Thread(target=writer)
    thread.start()
    steps: list[tuple[int, int]] = []
    try:
        result = backup_sqlite(
            source, tmp_path / "copy.db", pages_per_step=16, progress=lambda d, t: steps.append((d, t))
        )
    finally:
        stop.set()
        thread.join()
    assert result.integrity == "ok" and result.pages > 100
    assert len(steps) > 1  # copied in steps, with progress
    rows = check_copy(tmp_path / "copy.db")
    assert ROWS_BEFORE <= rows <= ROWS_BEFORE + len(written)
    assert not (tmp_path / "copy.db.partial").exists()


def test_a_copy_restarted_by_every_write_still_finishes(
    sqlite_databases: SqliteDatabases, tmp_path: Path
) -> None:
    """A write between every two steps makes SQLite start over each time: after a few restarts the rest
    goes in one read, and the copy holds one committed state."""
    source = database_file(sqlite_databases)
    writes = 0

    def write_between_steps(done: int, total: int) -> None:
        nonlocal writes
        insert_one(source, writes)
        writes += 1

    result = backup_sqlite(source, tmp_path / "copy.db", pages_per_step=16, progress=write_between_steps)
    assert result.restarts == MAX_RESTARTS + 1
    rows = check_copy(tmp_path / "copy.db")
    assert ROWS_BEFORE <= rows <= ROWS_BEFORE + writes


def test_the_command_backs_up_sqlite_and_refuses_postgresql(
    sqlite_databases: SqliteDatabases,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = database_file(sqlite_databases)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{source}")
    assert main(["backup", "nightly.db"]) == 0
    assert check_copy(tmp_path / "nightly.db") == ROWS_BEFORE
    assert "integrity check: ok" in capsys.readouterr().out

    monkeypatch.setenv("DATABASE_URL", "postgresql://camket@db.example.vn/camket")
    assert main(["backup", "pg.db"]) == 2
    assert "pg_dump" in capsys.readouterr().err
    assert not (tmp_path / "pg.db").exists()
