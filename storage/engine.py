"""Engine and sessions for SQLite (embedded default) and PostgreSQL (production, scale-out)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer commits; busy_timeout makes writers queue instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _in_transaction(connection: Any) -> bool:
    try:
        return bool(connection.driver_connection.in_transaction)
    except Exception:  # a closed connection: the driver reports it as it always has
        return True


def _end_only_open_transactions(dialect: Dialect) -> None:
    """Python's sqlite3 opens a transaction only before a write, and its commit and rollback do nothing when
    none is open; aiosqlite still sends each through its thread, and the pool rolls back every connection
    handed back after a commit. Skipping those no-ops spares a read-only unit of work (the gate of most
    updates, an idle outbox poll) two thread round trips; a transaction that wrote is ended as before."""
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(connection: Any) -> None:
        if _in_transaction(connection):
            commit(connection)

    def do_rollback(connection: Any) -> None:
        if _in_transaction(connection):
            rollback(connection)

    # The dialect has no hook for these: its methods are replaced on this engine's own instance.
    setattr(dialect, "do_commit", do_commit)  # noqa: B010
    setattr(dialect, "do_rollback", do_rollback)  # noqa: B010


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        _end_only_open_transactions(engine.sync_engine.dialect)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


class Database:
    """One engine and its session factory; the only way the rest of the code gets a session."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """A transaction that commits if the block ends normally and rolls back if it raises.

        Repositories and services never commit on their own: this is the one place that does.
        """
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()


# What a database says when it is busy or away, rather than when the statement is wrong.
_TRANSIENT = (
    "locked",
    "busy",
    "connection",
    "closed",
    "terminat",
    "timeout",
    "shutting down",
    "unable to open",
)


def is_unavailable(error: BaseException) -> bool:
    """The database could not be reached or was busy (restarted, a connection lost, SQLite locked by
    another writer such as a backup): worth trying again in a moment, unlike a bug.

    The caller rules out network errors of other services first: their causes may be the same OS errors.
    """
    current: BaseException | None = error
    for _ in range(5):  # the explicit chain: SQLAlchemy's wrapper, then the driver's error
        if current is None:
            return False
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, (DisconnectionError, PoolTimeout, ConnectionError, TimeoutError)):
            return True
        if isinstance(current, (OperationalError, InterfaceError)):
            message = str(current.orig if current.orig is not None else current).lower()
            if any(word in message for word in _TRANSIENT):
                return True
        current = current.__cause__
    return False


def dialect_of(session: AsyncSession) -> str:
    """ "sqlite" or "postgresql", for the few statements that differ (upserts, row locks)."""
    return session.get_bind().dialect.name


async def hold_lock(session: AsyncSession, key: int) -> None:
    """One transaction at a time past this point, across replicas, until this one ends: a PostgreSQL
    advisory lock (SQLite has one writer and one process: nothing to do)."""
    if dialect_of(session) == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
