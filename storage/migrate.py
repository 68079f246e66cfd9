"""Running Alembic from code, against an async engine, so the bot migrates itself on start."""

from __future__ import annotations

import logging
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
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Replicas started together: one upgrades, the others wait here and then find nothing to
                # do (the lock ends with this transaction, which holds the whole upgrade).
                await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            before, after = await connection.run_sync(_upgrade, revision)
    finally:
        await engine.dispose()
    if before != after:
        # Alembic's own lines are kept for DEBUG (bot.logs): this one says what changed.
        log.info("database schema upgraded from %s to %s", before or "empty", after)


def _upgrade(connection: Connection, revision: str) -> tuple[str | None, str | None]:
    before = MigrationContext.configure(connection).get_current_revision()
    command.upgrade(alembic_config(connection), revision)
    return before, MigrationContext.configure(connection).get_current_revision()
