"""Zalo in the process: the outbox's Zalo dispatcher (its own rows, the pace, 429, 401, a blocked user, a
bad request) and the channel end to end against the fake Zalo server (polling, repeats, the webhook)."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from aiohttp import web
from sqlalchemy import func, select
from starlette.applications import Starlette

from bot.health import health_route
from bot.server import channel_states
from bot.zalo_channel import SECRET_HEADER, WEBHOOK_PATH, ZaloChannel
from compliance.delivery.outbox import enqueue
from compliance.delivery.replicas import forget_events, take_event
from compliance.office.accounts import Address, ChannelUser, link
from handlers.zalo.client import ZaloClient
from handlers.zalo.delivery import ZaloDispatcher, ZaloPace, ZaloSender
from storage.clock import utcnow
from storage.engine import Database
from storage.models import AccountStatus, Channel, ChannelAccount, Official, OfficialStatus, OutboxMessage
from storage.models_zalo import ProcessedEvent
from tests.fakes.zalo import SECRET_HEADER as FAKE_SECRET_HEADER
from tests.fakes.zalo import FakeZalo

USER = "5f0e1d2c3b4a5968"
SECRET = "a-secret-of-zalo-webhook"


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def sender(fake: FakeZalo) -> AsyncIterator[ZaloSender]:
    async with ZaloClient(fake.url, fake.token) as client:
        yield ZaloSender(client, ZaloPace(50, per_chat_seconds=0))


def dispatcher_for(sender: ZaloSender, database: Database) -> ZaloDispatcher:
    return ZaloDispatcher(sender, database, wakeup=asyncio.Event(), default_locale="en")


async def plan(database: Database, key: str, to: Address, *, official_id: int | None = None) -> None:
    async with database.unit_of_work() as session:
        await enqueue(
            session,
            dedupe_key=key,
            kind="join_rejected",
            to=to,
            official_id=official_id,
            payload={"unit_name": "Văn phòng", "locale": "en"},
        )


async def statuses(database: Database) -> dict[str, str]:
    async with database.unit_of_work() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
        return {row.dedupe_key: row.status for row in rows}


async def outbox_row(database: Database, key: str) -> OutboxMessage:
    async with database.unit_of_work() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == key))
        assert row is not None
        return row


# ---- the dispatcher -------------------------------------------------------------------------------------
async def test_each_channel_claims_its_own_rows(
    fake: FakeZalo, sender: ZaloSender, database: Database
) -> None:
    await plan(database, "tg", Address.telegram(4242))
    await plan(database, "za", Address(Channel.ZALO, USER))
    assert await dispatcher_for(sender, database).drain_once() == 1
    assert await statuses(database) == {"tg": "pending", "za": "sent"}
    assert len(fake.texts(USER)) == 1 and (await outbox_row(database, "za")).channel_message_id


async def test_the_pace_keeps_to_the_rate_overall_and_per_chat(fake: FakeZalo, database: Database) -> None:
    fake.rate_limit = 5
    for n in range(8):
        await plan(database, f"k{n}", Address(Channel.ZALO, f"chat{n}"))
    await plan(database, "same1", Address(Channel.ZALO, "chat0"))
    async with ZaloClient(fake.url, fake.token) as client:
        dispatcher = ZaloDispatcher(
            ZaloSender(client, ZaloPace(5)),
            database,
            wakeup=asyncio.Event(),
            default_locale="en",
            idle_seconds=0.1,
        )
        started = time.monotonic()
        running = asyncio.create_task(dispatcher.run())
        await fake.wait_for(lambda: sum(len(m) for m in fake.sent.values()) == 9, timeout=20)
        elapsed = time.monotonic() - started
        dispatcher.stop()
        await running
    assert fake.too_many_requests == 0
    arrived = sorted(m["at"] for messages in fake.sent.values() for m in messages)
    assert all(later - earlier >= 1.0 for earlier, later in zip(arrived, arrived[5:], strict=False))
    assert elapsed >= 1.0  # 9 sends: the sixth a second after the first
    first, second = (m["at"] for m in fake.sent["chat0"])
    assert second - first >= 0.95  # one chat: a second apart


async def test_429_retries_later_with_zalos_delay(
    fake: FakeZalo, sender: ZaloSender, database: Database
) -> None:
    await plan(database, "k", Address(Channel.ZALO, USER))
    fake.fail("sendMessage", 429, retry_after=30)
    dispatcher = dispatcher_for(sender, database)
    assert await dispatcher.drain_once() == 1
    row = await outbox_row(database, "k")
    assert row.status == "pending" and "429" in (row.last_error or "")
    assert row.not_before > utcnow() + timedelta(seconds=20)
    assert await dispatcher.drain_once() == 0 and fake.texts(USER) == []


async def test_401_pauses_zalo_sending_loudly_without_the_token(
    fake: FakeZalo, sender: ZaloSender, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await plan(database, "k1", Address(Channel.ZALO, USER))
    await plan(database, "k2", Address(Channel.ZALO, "other"))
    fake.fail("sendMessage", 401, times=2)
    dispatcher = dispatcher_for(sender, database)
    with caplog.at_level(logging.ERROR):
        assert await dispatcher.drain_once() == 2
    assert sender.paused and await dispatcher.drain_once() == 0
    assert await statuses(database) == {"k1": "pending", "k2": "pending"}  # kept for when Zalo works again
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "PAUSED" in errors[0].getMessage() and fake.token not in caplog.text


async def test_a_blocked_user_becomes_unreachable_on_that_account(
    fake: FakeZalo, sender: ZaloSender, database: Database
) -> None:
    async with database.unit_of_work() as session:
        person = Official(full_name="Lê Văn A", name_key="lê văn a", status=OfficialStatus.ACTIVE)
        session.add(person)
        await session.flush()
        await link(session, person, ChannelUser(Channel.ZALO, USER))
        person_id = person.id
    await plan(database, "k1", Address(Channel.ZALO, USER), official_id=person_id)
    await plan(database, "k2", Address(Channel.ZALO, "someone-else"))
    fake.blocked.add(USER)
    assert await dispatcher_for(sender, database).drain_once() == 2
    async with database.unit_of_work() as session:
        again = await session.get(Official, person_id)
        account = await session.scalar(select(ChannelAccount).where(ChannelAccount.official_id == person_id))
        assert again is not None and again.status is OfficialStatus.UNREACHABLE
        assert account is not None and account.status is AccountStatus.BLOCKED
    assert await statuses(database) == {"k1": "pending", "k2": "sent"}


async def test_a_bad_request_fails_the_row(fake: FakeZalo, sender: ZaloSender, database: Database) -> None:
    await plan(database, "k", Address(Channel.ZALO, USER))
    fake.fail("sendMessage", 400, description="Bad Request: chat not found")
    assert await dispatcher_for(sender, database).drain_once() == 1
    row = await outbox_row(database, "k")
    assert row.status == "failed" and "400" in (row.last_error or "")


async def test_events_are_taken_once_and_forgotten_later(database: Database) -> None:
    async with database.unit_of_work() as session:
        assert await take_event(session, channel="zalo", event_id="m1")
        assert not await take_event(session, channel="zalo", event_id="m1")
        assert await take_event(session, channel="telegram", event_id="m1")
    async with database.unit_of_work() as session:
        assert await forget_events(session, now=utcnow() + timedelta(days=3)) == 2


# ---- the channel ------------------------------------------------------------------------------------------
def channel_for(fake: FakeZalo, database: Database, *, webhook_secret: str | None = None) -> ZaloChannel:
    return ZaloChannel(
        ZaloClient(fake.url, fake.token),
        database,
        default_locale="en",
        public_url="http://127.0.0.1:8080",
        rate_limit=50,
        webhook_secret=webhook_secret,
        poll_seconds=2,
        pace=ZaloPace(50, per_chat_seconds=0),
    )


async def events(database: Database) -> int:
    async with database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(ProcessedEvent)) or 0)


async def test_polling_end_to_end_with_a_repeated_update(fake: FakeZalo, database: Database) -> None:
    channel = channel_for(fake, database)
    await channel.start()
    try:
        assert channel.description == "Zalo by long polling"
        await fake.inject(USER, "xin chào")
        await channel.wait_handled(1)
        answers_to_one = len(fake.texts(USER))
        assert answers_to_one > 0
        fake.repeat_next()  # Zalo hands the next message out twice
        await fake.inject(USER, "chào bạn")
        await fake.inject(USER, "alo")
        await channel.wait_handled(4)
    finally:
        await channel.stop()
    taken = [c for c in fake.calls if c.method == "getUpdates" and c.status == 200]
    assert len(taken) == 4  # three messages, one of them twice
    assert len(fake.texts(USER)) == 3 * answers_to_one  # ... answered once each, in order
    assert await events(database) == 3


async def test_the_webhook_checks_the_secret_and_takes_both_shapes(
    fake: FakeZalo, database: Database
) -> None:
    channel = channel_for(fake, database, webhook_secret=SECRET)
    app = Starlette(routes=channel.routes())
    await channel.start()
    try:
        assert fake.webhook_url == "http://127.0.0.1:8080" + WEBHOOK_PATH and fake.webhook_secret == SECRET
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://zalo") as http:
            update = fake.update(USER, "xin chào")
            assert (
                await http.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: "wrong-secret"})
            ).status_code == 403
            assert (await http.post(WEBHOOK_PATH, json=update)).status_code == 403
            assert (
                await http.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
            ).status_code == 200
            wrapped = {"ok": True, "result": fake.update(USER, "alo")}
            assert (
                await http.post(WEBHOOK_PATH, json=wrapped, headers={SECRET_HEADER: SECRET})
            ).status_code == 200
            assert (
                await http.post(WEBHOOK_PATH, content=b"{", headers={SECRET_HEADER: SECRET})
            ).status_code == 400
        await channel.wait_handled(2)
    finally:
        await channel.stop()
    assert await events(database) == 2 and len(fake.texts(USER)) > 0


async def test_the_fake_pushes_updates_to_a_webhook_in_both_shapes(fake: FakeZalo) -> None:
    received: list[tuple[str, object]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get(FAKE_SECRET_HEADER, ""), await request.json()))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with ZaloClient(fake.url, fake.token) as client:
            await client.set_webhook(f"http://127.0.0.1:{port}/hook", SECRET)
        await fake.inject(USER, "một", wrapped=False)
        await fake.inject(USER, "hai", wrapped=True)
    finally:
        await runner.cleanup()
    assert [secret for secret, _ in received] == [SECRET, SECRET]
    bare, wrapped = (body for _, body in received)
    assert isinstance(bare, dict) and bare["message"]["text"] == "một"
    assert isinstance(wrapped, dict) and wrapped["ok"] and wrapped["result"]["message"]["text"] == "hai"
    assert fake.pushes == [(200, False), (200, True)]


async def test_a_refused_token_pauses_zalo_and_healthz_says_so(
    fake: FakeZalo, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    channel = ZaloChannel(
        ZaloClient(fake.url, "12345:RevokedTokenOfZalo"),
        database,
        default_locale="en",
        public_url="http://127.0.0.1:8080",
        rate_limit=5,
    )
    app = Starlette(routes=[health_route(database, functools.partial(channel_states, [channel]))])
    with caplog.at_level(logging.ERROR):
        await channel.start()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as http:
            health = await http.get("/healthz")
        assert health.status_code == 200  # the pages and the other channels still serve
        assert health.json()["channels"]["zalo"].startswith("paused")
        assert "Zalo by long polling (sending paused" in channel.description
        assert "RevokedTokenOfZalo" not in caplog.text and "PAUSED" in caplog.text
    finally:
        await channel.stop()
