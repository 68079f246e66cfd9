"""The dispatcher's own guards: leases renewed while a send is slow, and answers kept when the database
cannot take them."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import make_url
from telegram import Bot
from telegram.request import HTTPXRequest

from compliance.delivery import claims as delivery
from compliance.delivery.outbox import enqueue
from compliance.office.accounts import Address
from handlers.telegram.delivery import Dispatcher
from storage.engine import Database
from storage.models import OutboxMessage
from tests.fakes.botapi import FakeBotApi
from tests.fakes.outages import hang_all
from tests.waiting import eventually, running_server

CHATS = [5301, 5302, 5303]


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with running_server(CHATS) as fake:
        yield fake


def bot_for(server: FakeBotApi, *, read_timeout: float = 5.0) -> Bot:
    return Bot(
        server.token,
        base_url=f"{server.url}/bot",
        base_file_url=f"{server.url}/file/bot",
        request=HTTPXRequest(read_timeout=read_timeout),
    )


async def plan_all(database: Database) -> None:
    async with database.unit_of_work() as session:
        for chat in CHATS:
            await enqueue(
                session,
                dedupe_key=f"f:{chat}",
                kind="join_rejected",
                to=Address.telegram(chat),
                payload={"unit_name": "X"},
            )


async def leases(database: Database) -> list[tuple[str, datetime | None]]:
    async with database.unit_of_work() as session:
        result = await session.execute(
            select(OutboxMessage.status, OutboxMessage.lease_until).order_by(OutboxMessage.id)
        )
        return [(status, lease) for status, lease in result]


async def test_a_slow_send_keeps_its_lease_and_no_other_dispatcher_takes_it(
    server: FakeBotApi, database: Database
) -> None:
    await plan_all(database)
    bot = bot_for(server, read_timeout=30)
    async with bot:
        outage = hang_all(server)  # every send waits far longer than the lease
        dispatcher = Dispatcher(
            bot, database, wakeup=asyncio.Event(), default_locale="vi", lease=timedelta(seconds=0.6)
        )
        running = asyncio.create_task(dispatcher.run())
        try:
            await server.wait_for(lambda: outage.refused["sendMessage"] == len(CHATS))
            first = await leases(database)
            assert {status for status, _ in first} == {"sending"}
            first_end = max(lease for _, lease in first if lease is not None)

            async def renewed() -> bool:
                return all(lease is not None and lease > first_end for _, lease in await leases(database))

            await eventually(renewed)
            # Another replica looking after the first lease would have run out finds nothing to take.
            async with database.unit_of_work() as session:
                stolen = await delivery.claim_due(session, now=first_end + timedelta(milliseconds=100))
            assert stolen == []
        finally:
            outage.end()
            dispatcher.stop()
            await running


async def test_answers_the_database_could_not_take_are_recorded_when_it_is_back(
    server: FakeBotApi, database: Database
) -> None:
    if database.dialect != "sqlite":
        pytest.skip("a held SQLite write lock is the outage here; PostgreSQL's is in test_database_outage")
    await plan_all(database)
    locked_db = Database(database.url)
    event.listen(locked_db.engine.sync_engine, "connect", _short_busy_timeout)
    path = make_url(database.url).database
    assert path is not None
    bot = bot_for(server)
    async with bot:
        dispatcher = Dispatcher(bot, locked_db, wakeup=asyncio.Event(), default_locale="vi")
        claimed = await dispatcher._claim(10)
        await asyncio.gather(*(dispatcher._send(row) for row in claimed))  # Telegram took all three
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(Exception, match="locked"):
            await dispatcher.outcomes.flush()
        assert {status for status, _ in await leases(database)} == {"sending"}
        holder.execute("ROLLBACK")
        holder.close()
        await dispatcher.outcomes.flush()  # the answers were kept, not lost with the failed write
        assert await dispatcher.drain_once() == 0  # nothing left to send again
    await locked_db.dispose()
    assert {status for status, _ in await leases(database)} == {"sent"}
    assert [len(server.messages_to(chat)) for chat in CHATS] == [1, 1, 1]


def _short_busy_timeout(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA busy_timeout=200")
    cursor.close()
