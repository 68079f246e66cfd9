"""Zalo's pace and the shared outcome recorder: no one-second window at Zalo's end holds more than the limit
whatever the network delays, one chat's sends are a second apart, and what Zalo answered is recorded in
batches, kept while the database cannot take it."""

from __future__ import annotations

import asyncio
import itertools
import random
import sqlite3
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import make_url

from compliance.delivery.outbox import enqueue
from compliance.office.accounts import Address
from handlers.zalo.client import ZaloClient
from handlers.zalo.delivery import ZaloDispatcher, ZaloPace, ZaloSender
from storage.engine import Database
from storage.models import Channel, OutboxMessage
from tests.fakes.zalo import FakeZalo


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


async def _through(pace: ZaloPace, chat: str, rng: random.Random, arrivals: dict[str, list[float]]) -> None:
    """A send that reaches Zalo some time after it leaves and is answered some time after that."""
    async with pace.slot(chat):
        await asyncio.sleep(rng.uniform(0, 0.15))
        arrivals.setdefault(chat, []).append(time.monotonic())
        await asyncio.sleep(rng.uniform(0, 0.15))


def _most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times))


async def test_no_second_at_zalo_holds_more_than_the_limit_whatever_the_network_delays() -> None:
    rng = random.Random(15)
    pace = ZaloPace(10)
    arrivals: dict[str, list[float]] = {}
    await asyncio.gather(*(_through(pace, f"chat{n}", rng, arrivals) for n in range(45)))
    assert _most_in_one_second([t for chat in arrivals.values() for t in chat]) == 10


async def test_one_chat_gets_a_message_a_second_after_the_last_one_reached_it() -> None:
    rng = random.Random(16)
    pace = ZaloPace(50)
    arrivals: dict[str, list[float]] = {}
    await asyncio.gather(*(_through(pace, chat, rng, arrivals) for chat in ["a", "b", "a", "a", "b"]))
    for times in arrivals.values():
        assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(times))
    assert (len(arrivals["a"]), len(arrivals["b"])) == (3, 2)


async def test_a_send_that_hangs_holds_one_place_not_the_sends_behind_it() -> None:
    pace = ZaloPace(2)
    arrivals: list[str] = []
    answer_hung = asyncio.Event()

    async def send(chat: str) -> None:
        async with pace.slot(chat):
            arrivals.append(chat)
            if chat == "hung":
                await answer_hung.wait()

    hung = asyncio.create_task(send("hung"))
    await asyncio.wait_for(asyncio.gather(*(send(f"chat{n}") for n in range(3))), timeout=10)
    assert arrivals == ["hung", "chat0", "chat1", "chat2"]  # all while "hung" waits for its answer
    answer_hung.set()
    await hung


def test_a_fractional_limit_is_never_exceeded_in_any_second() -> None:
    assert (ZaloPace(2.5).per_window, ZaloPace(2.5).window) == (2, 1.0)
    assert (ZaloPace(0.5).per_window, ZaloPace(0.5).window) == (1, 2.0)


async def _plan(database: Database, chats: list[str]) -> None:
    async with database.unit_of_work() as session:
        for chat in chats:
            await enqueue(
                session,
                dedupe_key=f"pace:{chat}",
                kind="join_rejected",
                to=Address(Channel.ZALO, chat),
                payload={"unit_name": "Văn phòng", "locale": "en"},
            )


async def _statuses(database: Database) -> list[str]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id))).all())


async def test_answers_are_recorded_in_batches_as_they_arrive(fake: FakeZalo, database: Database) -> None:
    chats = [f"{n:016x}" for n in range(40)]
    await _plan(database, chats)
    recorded: list[int] = []  # rows per statement marking rows sent

    def count(_conn: object, _cursor: object, statement: str, parameters: object, *_: object) -> None:
        if statement.startswith("UPDATE outbox SET status") and "sent_at" in statement:
            recorded.append(len(parameters) if isinstance(parameters, list) else 1)

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    fake.rate_limit = 200
    async with ZaloClient(fake.url, fake.token) as client:
        dispatcher = ZaloDispatcher(
            ZaloSender(client, ZaloPace(200)), database, wakeup=asyncio.Event(), default_locale="en"
        )
        running = asyncio.create_task(dispatcher.run())
        await fake.wait_for(lambda: all(fake.sent.get(chat) for chat in chats), timeout=30)
        dispatcher.stop()
        await running
    assert await _statuses(database) == ["sent"] * len(chats)
    assert [len(fake.texts(chat)) for chat in chats] == [1] * len(chats)
    assert fake.too_many_requests == 0 and dispatcher.leases.held == set()
    assert sum(recorded) == len(chats) and len(recorded) < len(chats) / 2, recorded


async def test_answers_the_database_could_not_take_are_recorded_when_it_is_back(
    fake: FakeZalo, database: Database
) -> None:
    if database.dialect != "sqlite":
        pytest.skip("a held SQLite write lock is the outage here; PostgreSQL's is in test_database_outage")
    chats = ["aa01", "aa02", "aa03"]
    await _plan(database, chats)
    locked_db = Database(database.url)
    event.listen(locked_db.engine.sync_engine, "connect", _short_busy_timeout)
    path = make_url(database.url).database
    assert path is not None
    async with ZaloClient(fake.url, fake.token) as client:
        dispatcher = ZaloDispatcher(
            ZaloSender(client, ZaloPace(50)), locked_db, wakeup=asyncio.Event(), default_locale="en"
        )
        claimed = await dispatcher.leases.claim(10)
        await asyncio.gather(*(dispatcher._send(row) for row in claimed))  # Zalo took all three
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(Exception, match="locked"):
            await dispatcher.outcomes.flush()
        assert await _statuses(database) == ["sending"] * 3 and dispatcher.outcomes.waiting == 3
        holder.execute("ROLLBACK")
        holder.close()
        await dispatcher.outcomes.flush()  # kept, not lost with the failed write
        assert await dispatcher.drain_once() == 0  # nothing left to send again
    await locked_db.dispose()
    assert await _statuses(database) == ["sent"] * 3
    assert [len(fake.texts(chat)) for chat in chats] == [1, 1, 1]


def _short_busy_timeout(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA busy_timeout=200")
    cursor.close()
