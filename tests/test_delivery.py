"""The outbox dispatcher against the fake Bot API server: 429, 403, and a sender that died mid-send."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from telegram import Bot
from telegram.request import HTTPXRequest

from compliance.delivery import claims as delivery
from compliance.delivery.outbox import enqueue
from compliance.office.accounts import Address
from handlers.telegram.delivery import Dispatcher
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Official, OfficialStatus, OutboxMessage
from tests.factories import telegram_official
from tests.fakes.botapi import FakeBotApi
from tests.fakes.telegram_rules import ApiError

CHAT = 4242


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi()
    await fake.start()
    fake.known_chats.add(CHAT)
    yield fake
    await fake.stop()


@pytest.fixture
async def dispatcher(server: FakeBotApi, database: Database) -> AsyncIterator[Dispatcher]:
    bot = Bot(server.token, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot")
    async with bot:
        yield Dispatcher(bot, database, wakeup=asyncio.Event(), default_locale="vi")


async def plan(database: Database, key: str, *, official_id: int | None = None) -> None:
    async with database.unit_of_work() as session:
        await enqueue(
            session,
            dedupe_key=key,
            kind="join_rejected",
            to=Address.telegram(CHAT),
            official_id=official_id,
            payload={"unit_name": "Văn phòng", "locale": "vi"},
        )


async def rows(database: Database) -> list[OutboxMessage]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_planning_twice_inserts_once(database: Database) -> None:
    await plan(database, "k1")
    await plan(database, "k1")
    assert len(await rows(database)) == 1


async def test_429_waits_retry_after_then_sends(
    server: FakeBotApi, dispatcher: Dispatcher, database: Database
) -> None:
    await plan(database, "k1")
    server.fail_next("sendMessage", ApiError(429, "Too Many Requests: retry after 3", retry_after=3))
    with time_machine.travel(utcnow(), tick=False) as clock:
        assert await dispatcher.drain_once() == 1
        [row] = await rows(database)
        assert row.status == "pending" and "429" in (row.last_error or "")
        assert await dispatcher.drain_once() == 0  # not before retry_after has passed
        clock.shift(timedelta(seconds=3.5))
        assert await dispatcher.drain_once() == 1
    [row] = await rows(database)
    assert row.status == "sent" and row.attempts == 2 and row.channel_message_id is not None
    assert len(server.messages_to(CHAT)) == 1


async def test_403_marks_the_official_unreachable_and_holds_their_messages(
    server: FakeBotApi, dispatcher: Dispatcher, database: Database
) -> None:
    async with database.unit_of_work() as session:
        person = await telegram_official(
            session, CHAT, full_name="Lê Văn A", name_key="lê văn a", status=OfficialStatus.ACTIVE
        )
        person_id = person.id
    await plan(database, "k1", official_id=person_id)
    await plan(database, "k2", official_id=person_id)
    server.blocked.add(CHAT)
    assert await dispatcher.drain_once() == 1
    assert await dispatcher.drain_once() == 0  # nothing more goes to someone who blocked the bot
    async with database.unit_of_work() as session:
        again = await session.get(Official, person_id)
        assert again is not None and again.status is OfficialStatus.UNREACHABLE
    assert [r.status for r in await rows(database)] == ["pending", "pending"]
    assert server.messages_to(CHAT) == []


async def test_a_row_whose_sender_died_is_taken_again_after_its_lease(
    server: FakeBotApi, dispatcher: Dispatcher, database: Database
) -> None:
    await plan(database, "k1")
    async with database.unit_of_work() as session:  # a sender claims the row, then its process dies
        claimed = await delivery.claim_due(session, now=utcnow(), lease=timedelta(seconds=60))
    assert len(claimed) == 1
    assert await dispatcher.drain_once() == 0  # the lease still holds
    with time_machine.travel(utcnow() + timedelta(seconds=61), tick=False):
        assert await dispatcher.drain_once() == 1
    [row] = await rows(database)
    assert row.status == "sent" and row.attempts == 2
    assert len(server.messages_to(CHAT)) == 1


async def test_a_bad_request_fails_the_row_with_its_reason(
    server: FakeBotApi, dispatcher: Dispatcher, database: Database
) -> None:
    await plan(database, "k1")
    server.known_chats.discard(CHAT)
    assert await dispatcher.drain_once() == 1
    [row] = await rows(database)
    assert row.status == "failed" and "chat not found" in (row.last_error or "").lower()


class CountingDispatcher(Dispatcher):
    claimed = 0

    async def _claim(self, limit: int) -> list[delivery.Claimed]:
        rows = await super()._claim(limit)
        self.claimed += len(rows)
        return rows


async def test_two_dispatchers_share_one_outbox_and_send_each_row_once(
    server: FakeBotApi, database: Database
) -> None:
    """Two processes' dispatchers (two engines) drain the same outbox: SKIP LOCKED gives each row to one."""
    if database.dialect != "postgresql":
        pytest.skip("replicas run on PostgreSQL; SQLite is one process")
    chats = list(range(10_000, 10_100))
    server.known_chats.update(chats)
    async with database.unit_of_work() as session:
        for n in range(300):
            await enqueue(
                session,
                dedupe_key=f"k{n}",
                kind="join_rejected",
                to=Address.telegram(chats[n % len(chats)]),
                payload={"unit_name": f"Đơn vị {n}", "locale": "vi"},
            )
    second = Database(database.url)
    bots = [
        Bot(
            server.token,
            base_url=f"{server.url}/bot",
            base_file_url=f"{server.url}/file/bot",
            request=HTTPXRequest(connection_pool_size=50),
        )
        for _ in range(2)
    ]
    dispatchers = [
        CountingDispatcher(bot, db, wakeup=asyncio.Event(), default_locale="vi", batch=20, max_in_flight=20)
        for bot, db in zip(bots, (database, second), strict=True)
    ]
    async with bots[0], bots[1]:
        runs = [asyncio.create_task(d.run()) for d in dispatchers]
        await server.wait_for(lambda: sum(len(server.messages_to(c)) for c in chats) >= 300, timeout=60)
        for dispatcher in dispatchers:
            dispatcher.stop()
        await asyncio.gather(*runs)
    await second.dispose()
    texts = [m["text"] for c in chats for m in server.messages_to(c)]
    assert len(texts) == len(set(texts)) == 300  # every row once, none twice
    assert {r.status for r in await rows(database)} == {"sent"}
    assert all(d.claimed > 0 for d in dispatchers) and sum(d.claimed for d in dispatchers) == 300
