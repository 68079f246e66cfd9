"""Database for bench.broadcast: a temporary SQLite file or a dedicated PostgreSQL database (created here and
dropped at the end), migrated, with N joined officials and the days around today off."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from bench.bot_process import created_database, seed_officials
from bot.settings import normalise_database_url
from compliance.practice.calendar import OFF, add_override
from storage.clock import local_today
from storage.engine import Database
from storage.migrate import upgrade

LOOPBACK = {"127.0.0.1", "localhost"}
# Databases other work relies on: never created, used or dropped by the benchmark.
FORBIDDEN = {"postgres", "test", "template0", "template1"}


@contextlib.asynccontextmanager
async def bench_database(url: str | None, directory: Path) -> AsyncIterator[str]:
    """The async URL of an empty, migrated database. With a PostgreSQL URL, its database must not exist
    yet: it is created here and dropped at the end, so nothing that was there before is touched."""
    if url is None:
        sqlite_url = f"sqlite+aiosqlite:///{directory / 'bench.db'}"
        await upgrade(sqlite_url)
        yield sqlite_url  # the file goes with the temporary directory
        return
    parsed = make_url(normalise_database_url(url))
    if parsed.get_backend_name() != "postgresql" or parsed.host not in LOOPBACK:
        raise SystemExit("--database-url must be postgresql://…@127.0.0.1/<a new database name>")
    name = parsed.database or ""
    if not name or name in FORBIDDEN:
        raise SystemExit(f"--database-url must name a dedicated database, not {name!r}")
    admin_dsn = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin_dsn)
    try:
        if await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            raise SystemExit(f"database {name!r} exists already: the benchmark only drops what it created")
    finally:
        await connection.close()
    async_url = parsed.render_as_string(hide_password=False)
    async with created_database(admin_dsn, name, async_url):
        yield async_url


async def seed(url: str, officials: int) -> None:
    """`officials` active officials with Telegram ids (bench.updates' users), and no working day from
    yesterday to the day after tomorrow: the bot's minute tick would otherwise plan the daily reminder
    (or a quiz) for all of them in the middle of the measurement, on top of the broadcast."""
    await seed_officials(url, officials)
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            today = local_today()
            for offset in range(-1, 3):
                await add_override(session, day=today + timedelta(days=offset), kind=OFF, note="bench")
    finally:
        await database.dispose()
