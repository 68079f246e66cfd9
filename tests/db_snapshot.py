"""What is in the database, table by table: to prove that a refused input changed nothing, and that an
erased person left no trace."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import JSON, LargeBinary, MetaData, String, Table, Text, select
from sqlalchemy.engine import Connection

from storage.engine import Database

# Bookkeeping, not data: the schema version, and the update ids replicas take (every update writes one).
IGNORED_TABLES = {"alembic_version", "processed_updates"}
# Bookkeeping too: when a person last wrote (refreshed by any update, refused or not, every few minutes).
IGNORED_COLUMNS = {"channel_accounts": {"last_seen_at"}}


_reflected: dict[str, list[Table]] = {}


def _reflect(connection: Connection) -> list[Table]:
    """The tables as the database has them (whatever migrations made), read once per database."""
    url = connection.engine.url.render_as_string(hide_password=False)
    if url not in _reflected:
        metadata = MetaData()
        metadata.reflect(connection)
        _reflected[url] = [t for t in metadata.sorted_tables if t.name not in IGNORED_TABLES]
    return _reflected[url]


def _canonical(value: Any) -> str:
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return repr(value)


def _snapshot(connection: Connection) -> dict[str, tuple[int, str]]:
    result: dict[str, tuple[int, str]] = {}
    for table in _reflect(connection):
        order = list(table.primary_key.columns) or list(table.columns)
        digest = hashlib.sha256()
        count = 0
        ignored = IGNORED_COLUMNS.get(table.name, set())
        columns = [c for c in table.columns if c.name not in ignored]
        for row in connection.execute(select(*columns).order_by(*order)):
            count += 1
            digest.update("|".join(_canonical(v) for v in row).encode("utf-8"))
            digest.update(b"\n")
        result[table.name] = (count, digest.hexdigest())
    return result


async def snapshot(database: Database) -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of all its rows."""
    async with database.engine.connect() as connection:
        return await connection.run_sync(_snapshot)


def changed_tables(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def _find(connection: Connection, needles: list[str]) -> list[str]:
    found: list[str] = []
    lowered = [n.casefold() for n in needles]
    for table in _reflect(connection):
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON | LargeBinary)]
        if not columns:
            continue
        for row in connection.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                if isinstance(value, bytes):
                    text = value.decode("utf-8", "replace")
                elif isinstance(value, str):
                    text = value
                else:
                    text = json.dumps(value, ensure_ascii=False)
                text = text.casefold()
                found += [f"{table.name}.{column.name}: {n}" for n in lowered if n in text]
    return found


async def traces_of(database: Database, needles: list[str]) -> list[str]:
    """Where any of these strings still appears in a text, JSON or binary column (case-insensitive)."""
    async with database.engine.connect() as connection:
        return await connection.run_sync(_find, needles)
