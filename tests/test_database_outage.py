"""The database going away while updates arrive: PostgreSQL restarted (its connections cut and refused,
through a proxy: the shared server itself is never touched), or the SQLite file locked by a long write
such as a backup's. The bot keeps running, the person is told to try again, nothing half-written stays,
and everything works again by itself once the database is back: updates, the outbox, the tick."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url

from compliance.delivery.outbox import enqueue
from compliance.office.accounts import Address, accounts_of
from compliance.office.staff_import import import_staff
from handlers.telegram.jobs import tick_job
from storage.engine import Database
from storage.models import Official, OutboxMessage
from storage.models_practice import PlannedEvent
from tests.factories import FakeUser, contact, message
from tests.fakes.tcp_proxy import TcpProxy
from tests.harness import BotHarness
from tests.staff_files import OFFICE, xlsx_bytes
from tests.waiting import eventually

LAN = FakeUser(4301, "Lan", "Nguyễn", "en")
LAN_PHONE = "0912000004"
OTHER_CHAT = 4302
BUSY = "The database is busy"


@dataclass
class Outage:
    """Takes the bot's database away and brings it back."""

    go: Callable[[], Awaitable[None]]
    back: Callable[[], Awaitable[None]]


@pytest.fixture
async def bot_database(database: Database, tmp_path: Path) -> AsyncIterator[tuple[Database, Outage]]:
    """The bot's own Database, and how to take it away: a proxy on PostgreSQL, a lock on SQLite."""
    if database.dialect == "postgresql":
        proxy = TcpProxy.in_front_of(database.url)
        await proxy.start()
        bot_db = Database(proxy.url_for(database.url))
        yield bot_db, Outage(proxy.stop, proxy.start)
        await proxy.stop()
        await bot_db.dispose()
        return
    bot_db = Database(database.url)
    # The bot waits 15 s for SQLite's write lock; while the lock is held, a test waits a third of a second.
    # Afterwards the usual wait applies again: the bot's writes then only contend with its own tick and
    # dispatcher, which a busy machine can stretch past a third of a second.
    locked = [False]

    def short_busy_timeout(connection: Any, _record: Any) -> None:
        if locked[0]:
            cursor = connection.cursor()
            cursor.execute("PRAGMA busy_timeout=300")
            cursor.close()

    event.listen(bot_db.engine.sync_engine, "connect", short_busy_timeout)
    path = make_url(database.url).database
    assert path is not None
    holder: list[sqlite3.Connection] = []

    async def lock() -> None:  # a backup holding the write lock
        locked[0] = True
        await bot_db.engine.dispose()  # connections made from now on wait a third of a second
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE officials SET email = 'backup@example.vn'")
        holder.append(connection)

    async def unlock() -> None:
        connection = holder.pop()
        connection.execute("ROLLBACK")
        connection.close()
        locked[0] = False
        await bot_db.engine.dispose()

    yield bot_db, Outage(lock, unlock)
    while holder:
        await unlock()
    await bot_db.dispose()


async def test_the_bot_rides_out_its_database_going_away(
    database: Database, bot_database: tuple[Database, Outage], caplog: pytest.LogCaptureFixture
) -> None:
    bot_db, outage = bot_database
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))

    async def plan_held() -> None:  # a message the dispatcher cannot claim while the database is away
        async with database.unit_of_work() as session:
            await enqueue(
                session,
                dedupe_key="held",
                kind="join_rejected",
                to=Address.telegram(OTHER_CHAT),
                payload={"unit_name": "X"},
            )

    bot = BotHarness(bot_db)
    bot.server.known_chats.add(OTHER_CHAT)
    if database.dialect == "sqlite":  # the lock lets the bot start (it only reads) but not claim
        await plan_held()
        await outage.go()
        await bot.start()
    else:  # the bot starts on a database it can reach, which then goes; the test's own connection stays
        await bot.start()
        await outage.go()
        await plan_held()
    try:
        assert bot.app is not None and bot.app.job_queue is not None
        fast_tick = bot.app.job_queue.run_repeating(tick_job, interval=0.3, first=0, name="test-tick")
        reply = await bot.send(contact(LAN, LAN_PHONE), to_chat=LAN.id)
        assert BUSY in reply["text"] and "Traceback" not in reply["text"]
        async with database.unit_of_work() as session:  # nothing of the join was kept
            lan = await session.scalar(select(Official).where(Official.phone == "+84912000004"))
            assert lan is not None and await accounts_of(session, lan.id) == []
            assert await session.scalar(select(OutboxMessage.status)) == "pending"
            assert await session.scalar(select(func.count()).select_from(PlannedEvent)) == 0
        assert bot.server.messages_to(OTHER_CHAT) == []

        await outage.back()
        reply = await bot.join(LAN, LAN_PHONE)
        assert "Welcome, <b>Nguyễn Thị Lan</b>" in reply["text"]
        reply = await bot.send(message(LAN, "/me"), to_chat=LAN.id)
        assert "Nguyễn Thị Lan" in reply["text"]
        await bot.server.wait_for(lambda: bot.server.messages_to(OTHER_CHAT), timeout=30)
        # One answer per update: no handler ran after the failed one (the gate's failure stops it all);
        # the joining after it is answered with the link and the privacy notice, then the welcome.
        assert len(bot.server.messages_to(LAN.id)) == 5

        async def ticked() -> bool:
            async with database.unit_of_work() as session:
                return bool(await session.scalar(select(func.count()).select_from(PlannedEvent)))

        await eventually(ticked)  # the same repeating job, failing while the database was away
        assert not fast_tick.removed
        assert bot.app.bot_data.dispatcher_task is not None
        assert not bot.app.bot_data.dispatcher_task.done()
    finally:
        await bot.stop()
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert any(m.startswith("handler failed for update") for m in logged)  # with its traceback


async def test_connections_killed_between_updates_are_replaced_unnoticed(database: Database) -> None:
    """pg_terminate_backend on every connection of the bot (a failover): the pool checks a connection
    before lending it, so the next update simply works."""
    if database.dialect != "postgresql":
        pytest.skip("PostgreSQL's connections; SQLite has none to cut")
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
    bot = BotHarness(database)
    await bot.start()
    try:
        assert "Welcome" in (await bot.join(LAN, LAN_PHONE))["text"]
        name = make_url(database.url).database
        server = make_url(database.url).set(drivername="postgresql", database="postgres")
        admin = await asyncpg.connect(server.render_as_string(hide_password=False))
        try:
            killed = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
        finally:
            await admin.close()
        assert killed >= 1
        reply = await bot.send(message(LAN, "/me"), to_chat=LAN.id)
        assert "Nguyễn Thị Lan" in reply["text"] and BUSY not in reply["text"]
    finally:
        await bot.stop()
    async with database.unit_of_work() as session:
        assert (await session.execute(text("SELECT 1"))).scalar() == 1
