"""The Bot API answering 5xx, hanging, or gone for a while: no crash, no outbox row lost or given up,
sending resumes when it is back."""

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
from storage.models import OutboxMessage
from tests.factories import FakeUser, message
from tests.fakes.botapi import FakeBotApi
from tests.fakes.outages import come_back, fail_all, go_away, hang_all
from tests.harness import BotHarness
from tests.waiting import eventually, running_server

CHATS = list(range(5101, 5106))


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with running_server(CHATS) as fake:
        yield fake


def dispatcher_for(server: FakeBotApi, database: Database, *, read_timeout: float = 5.0) -> Dispatcher:
    bot = Bot(
        server.token,
        base_url=f"{server.url}/bot",
        base_file_url=f"{server.url}/file/bot",
        request=HTTPXRequest(read_timeout=read_timeout, connect_timeout=1.0),
    )
    return Dispatcher(bot, database, wakeup=asyncio.Event(), default_locale="vi")


async def plan_all(database: Database) -> None:
    async with database.unit_of_work() as session:
        for chat in CHATS:
            await enqueue(
                session,
                dedupe_key=f"outage:{chat}",
                kind="join_rejected",
                to=Address.telegram(chat),
                payload={"unit_name": "Văn phòng", "locale": "vi"},
            )


async def rows(database: Database) -> list[OutboxMessage]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def drain_until_sent(dispatcher: Dispatcher, database: Database, clock: time_machine.Traveller) -> None:
    """Step the clock past each backoff until every row is sent (a bounded number of steps)."""
    for _ in range(20):
        await dispatcher.drain_once()
        if {r.status for r in await rows(database)} == {"sent"}:
            return
        clock.shift(timedelta(seconds=5))
    raise AssertionError([(r.status, r.last_error) for r in await rows(database)])


async def test_a_minute_of_5xx_gives_up_no_row_and_sending_resumes(
    server: FakeBotApi, database: Database
) -> None:
    await plan_all(database)
    dispatcher = dispatcher_for(server, database)
    async with dispatcher.bot:  # getMe answered before the outage
        outage = fail_all(server, status=502)
        with time_machine.travel(utcnow(), tick=False) as clock:
            for second in range(61):  # a dispatcher trying every second for a minute
                if second == 30:
                    outage.status = 500
                await dispatcher.drain_once()
                clock.shift(timedelta(seconds=1))
            during = await rows(database)
            assert {r.status for r in during} == {"pending"}
            assert all(2 <= r.attempts < delivery.MAX_ATTEMPTS for r in during), [r.attempts for r in during]
            assert all("NetworkError" in (r.last_error or "") for r in during)
            assert outage.refused["sendMessage"] == sum(r.attempts for r in during)
            outage.end()
            await drain_until_sent(dispatcher, database, clock)
    assert all(len(server.messages_to(chat)) == 1 for chat in CHATS)


async def test_requests_that_hang_time_out_and_are_retried(server: FakeBotApi, database: Database) -> None:
    await plan_all(database)
    dispatcher = dispatcher_for(server, database, read_timeout=0.3)
    async with dispatcher.bot:
        outage = hang_all(server)
        with time_machine.travel(utcnow(), tick=False) as clock:
            assert await dispatcher.drain_once() == len(CHATS)
            during = await rows(database)
            assert {r.status for r in during} == {"pending"}
            assert all("TimedOut" in (r.last_error or "") for r in during)
            outage.end()
            await drain_until_sent(dispatcher, database, clock)
    assert outage.refused["sendMessage"] == len(CHATS)
    assert all(len(server.messages_to(chat)) == 1 for chat in CHATS)


async def test_an_unreachable_server_then_back_on_its_port(server: FakeBotApi, database: Database) -> None:
    await plan_all(database)
    dispatcher = dispatcher_for(server, database)
    async with dispatcher.bot:
        await dispatcher.drain_once()  # a connection is open in the pool before the server goes
        await go_away(server)
        async with database.unit_of_work() as session:
            await enqueue(
                session,
                dedupe_key="later",
                kind="join_rejected",
                to=Address.telegram(CHATS[0]),
                payload={"unit_name": "X"},
            )
        with time_machine.travel(utcnow() + timedelta(seconds=2), tick=False) as clock:
            assert await dispatcher.drain_once() == 1
            [later] = [r for r in await rows(database) if r.dedupe_key == "later"]
            assert later.status == "pending" and "NetworkError" in (later.last_error or "")
            await come_back(server)
            await drain_until_sent(dispatcher, database, clock)
    assert [len(server.messages_to(chat)) for chat in CHATS] == [2, 1, 1, 1, 1]


async def test_the_running_bot_rides_out_5xx_and_a_server_restart(harness: BotHarness) -> None:
    """The whole bot, polling and dispatching in real time: 502s, then the server gone, then back."""
    server, user, chat = harness.server, FakeUser(5201, "Minh", "Trần", "en"), CHATS[0]
    assert harness.app is not None
    services = harness.app.bot_data
    server.known_chats.add(chat)
    assert (await harness.say(user, "/help"))["text"]  # the bot is up
    outage = fail_all(server, status=502)
    async with harness.database.unit_of_work() as session:
        await enqueue(
            session,
            dedupe_key="ride",
            kind="join_rejected",
            to=Address.telegram(chat),
            payload={"unit_name": "X"},
        )
    services.outbox_wakeup.set()
    # Once a poll has been refused, the long poll that began before the outage is over: this update
    # waits on the server, as Telegram keeps updates for a bot that cannot fetch them.
    await server.wait_for(lambda: outage.refused["getUpdates"] >= 1)
    await server.inject(message(user, "/help"))
    await server.wait_for(lambda: outage.refused["getUpdates"] >= 2 and outage.refused["sendMessage"] >= 1)
    await go_away(server)
    outage.end()

    async def tried_while_away() -> bool:
        [row] = await rows(harness.database)
        return row.attempts >= 2 and row.status == "pending"

    await eventually(tried_while_away)
    await come_back(server)
    await server.wait_for(lambda: len(server.messages_to(user.id)) >= 2 and server.messages_to(chat), 60)

    async def recorded() -> bool:
        return (await rows(harness.database))[0].status == "sent"

    await eventually(recorded)
    assert (await rows(harness.database))[0].attempts >= 3
    assert services.dispatcher_task is not None and not services.dispatcher_task.done()
    assert len(server.messages_to(chat)) == 1


async def test_attempts_are_bounded_when_the_server_never_comes_back(
    server: FakeBotApi, database: Database
) -> None:
    await plan_all(database)
    dispatcher = dispatcher_for(server, database)
    async with dispatcher.bot:
        outage = fail_all(server, status=500)
        started = utcnow()
        with time_machine.travel(started, tick=False) as clock:
            for _ in range(delivery.MAX_ATTEMPTS + 5):
                await dispatcher.drain_once()
                clock.shift(delivery.backoff(delivery.MAX_ATTEMPTS))
            gave_up = await rows(database)
    assert {r.status for r in gave_up} == {"failed"}
    assert all(r.attempts == delivery.MAX_ATTEMPTS for r in gave_up)
    assert all(f"gave up after {delivery.MAX_ATTEMPTS} attempts" in (r.last_error or "") for r in gave_up)
    assert outage.refused["sendMessage"] == len(CHATS) * delivery.MAX_ATTEMPTS
    # What the backoff allows before giving up: far more than a minute.
    assert sum((delivery.backoff(n) for n in range(1, delivery.MAX_ATTEMPTS)), timedelta()) > timedelta(
        minutes=20
    )
