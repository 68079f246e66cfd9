"""Fresh databases for tests: SQLite always, PostgreSQL too when TEST_DATABASE_URL is set.

Each run migrates one template per engine (the real Alembic migrations), then every test gets its own
copy: a copied SQLite file, or a PostgreSQL database created from the template. Names carry the run's
id, so two runs on one server never see each other's rows.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from bot.settings import normalise_database_url
from storage.migrate import upgrade

RUN_ID = uuid.uuid4().hex[:8]


def engines() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


class SqliteDatabases:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.template = directory / "template.db"
        self._ids = itertools.count(1)
        asyncio.run(upgrade(f"sqlite+aiosqlite:///{self.template}"))

    def new(self) -> str:
        path = self.directory / f"test-{next(self._ids)}.db"
        shutil.copyfile(self.template, path)
        return f"sqlite+aiosqlite:///{path}"

    def empty(self) -> str:
        """A database with no schema, for a migration test to build at an older revision."""
        return f"sqlite+aiosqlite:///{self.directory / f'empty-{next(self._ids)}.db'}"

    def drop(self, url: str) -> None:
        path = Path(url.removeprefix("sqlite+aiosqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


class PostgresDatabases:
    def __init__(self, server_url: str) -> None:
        self.server_url = make_url(normalise_database_url(server_url))
        self.template = f"ckb_{RUN_ID}_tmpl"
        self._ids = itertools.count(1)
        asyncio.run(self._execute(f'CREATE DATABASE "{self.template}"'))
        asyncio.run(upgrade(self.url_of(self.template)))

    def url_of(self, name: str) -> str:
        return self.server_url.set(database=name).render_as_string(hide_password=False)

    async def _execute(self, sql: str) -> None:
        dsn = self.server_url.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    def new(self) -> str:
        name = f"ckb_{RUN_ID}_{next(self._ids)}"
        asyncio.run(self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        return self.url_of(name)

    def empty(self) -> str:
        """A database with no schema, for a migration test to build at an older revision."""
        name = f"ckb_{RUN_ID}_e{next(self._ids)}"
        asyncio.run(self._execute(f'CREATE DATABASE "{name}"'))
        return self.url_of(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        asyncio.run(self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        asyncio.run(self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)'))
