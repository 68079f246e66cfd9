"""Running Alembic from code, against an async engine, so the bot migrates itself on start."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.engine import make_engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
log = logging.getLogger(__name__)
MIGRATION_LOCK = 0x63616D6B  # "camk": the advisory lock key that serialises schema upgrades


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    before, after = await _migrate(url, _upgrade, revision)
    if before != after:
        # Alembic's own lines are kept for DEBUG (bot.logs): this one says what changed.
        log.info("database schema upgraded from %s to %s", before or "empty", after)


async def downgrade(url: str, revision: str) -> None:
    """Back to an earlier revision (an operator's way out of a bad release, and the migrations' tests)."""
    await _migrate(url, _downgrade, revision)


Step = Callable[[Connection, str], tuple[str | None, str | None]]


async def _migrate(url: str, step: Step, revision: str) -> tuple[str | None, str | None]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # SQLite rebuilds a table to alter it (copy, drop, rename): with foreign keys on, dropping a
                # table others point at fails. The pragma only takes effect outside a transaction, so it is
                # set first, and every reference is checked before the commit instead.
                await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                await connection.commit()
            async with connection.begin():
                if not sqlite:
                    # Replicas started together: one upgrades, the others wait here and then find nothing
                    # to do (the lock ends with this transaction, which holds the whole upgrade).
                    await connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                    )
                result = await connection.run_sync(step, revision)
                if sqlite:
                    broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if broken:
                        raise RuntimeError(f"migration left rows pointing at nothing: {broken[:5]}")
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()
    finally:
        await engine.dispose()
    return result


def _upgrade(connection: Connection, revision: str) -> tuple[str | None, str | None]:
    before = MigrationContext.configure(connection).get_current_revision()
    command.upgrade(alembic_config(connection), revision)
    return before, MigrationContext.configure(connection).get_current_revision()


def _downgrade(connection: Connection, revision: str) -> tuple[str | None, str | None]:
    before = MigrationContext.configure(connection).get_current_revision()
    command.downgrade(alembic_config(connection), revision)
    return before, MigrationContext.configure(connection).get_current_revision()
