"""Two replicas of the bot, two whole processes in webhook mode, sharing one PostgreSQL database.

Each process is the real entry point (tests/fakes/replica.py: `python -m bot run` whose tick reads a
simulated clock from a file, every 0.2 s instead of every minute). Each replica talks to its own fake Bot
API server, so the test sees which replica sent what; the union of both is what Telegram would have
received. Over a simulated week both replicas tick at every step of the clock and both dispatchers drain
the one outbox, while updates arrive at both, some of them at both at once (a retried webhook call
handed to the other replica by the proxy).
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import select

from compliance.office.officials import actor_of
from compliance.office.staff_import import import_staff
from compliance.pledge import signing as pledges
from storage.engine import Database
from storage.models import Official, OfficialStatus, OutboxMessage
from tests.e2e.processes import WebhookBot
from tests.factories import FakeUser, link_telegram, message
from tests.fakes.botapi import FakeBotApi
from tests.pledge_files import template
from tests.staff_files import OFFICE, xlsx_bytes

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = date(2026, 11, 23)  # Tuesday 24/11/2026 is a public holiday: four working days
EXTRA = 40
# The clock's steps through the week (day offset, local time): the first after midnight on Monday, then
# just after each default schedule time, and quiet moments on the days off.
STEPS = [
    (0, time(0, 5)),
    (0, time(7, 50)),
    (0, time(8, 5)),
    (1, time(12, 0)),
    (2, time(7, 50)),
    (2, time(10, 5)),
    (3, time(7, 50)),
    (4, time(7, 50)),
    (4, time(14, 5)),
    (4, time(15, 5)),
    (4, time(17, 5)),
    (5, time(12, 0)),
    (6, time(23, 55)),
]


async def seed_office(database: Database) -> list[int]:
    """The five of OFFICE and 40 more, all joined; the first ten signed. Their Telegram ids."""
    rows = [list(r) for r in OFFICE] + [
        [f"Cán bộ Số {n}", "Chuyên viên", "Sở GTVT / Phòng Quản lý vận tải", f"0913 {n:06d}", "", "cán bộ"]
        for n in range(1, EXTRA + 1)
    ]
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(rows))
        published = await pledges.publish(
            session,
            template=template(),
            unit=None,
            material=False,
            publisher_id=None,
            now=datetime.combine(MONDAY, time(0), VN) - timedelta(days=7),
        )
        assert published.version is not None
        people = sorted((await session.scalars(select(Official))).all(), key=lambda p: p.id)
        for n, person in enumerate(people):
            person.status = OfficialStatus.ACTIVE
            await link_telegram(session, person, 7000 + n)
        await session.flush()
        for person in people[:10]:
            await pledges.sign(
                session,
                actor=actor_of(person),
                version_id=published.version.id,
                typed_name=person.full_name,
                locale="vi",
                chat_id=7000 + people.index(person),
                message_id=1,
            )
        return [7000 + n for n in range(len(people))]


async def wait_on_either(servers: list[FakeBotApi], predicate: Callable[[], bool]) -> None:
    """Until `predicate` holds over both servers: whichever receives the last message wakes up."""
    waiters = [asyncio.create_task(s.wait_for(predicate, 60)) for s in servers]
    done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for waiter in pending:
        waiter.cancel()
    for waiter in done:
        waiter.result()


def set_clock_file(path: Path, moment: str) -> None:
    """Replace the file whole: the replicas read it every 0.2 s and must never see it half-written
    (write_text truncates first, and a tick once read an empty file)."""
    draft = path.with_suffix(".new")
    draft.write_text(moment)
    os.replace(draft, path)


async def test_two_replicas_for_a_simulated_week(database: Database, tmp_path: Path) -> None:
    if database.dialect != "postgresql":
        pytest.skip("replicas share PostgreSQL (SQLite is one process)")
    officials = await seed_office(database)
    visitors = [FakeUser(9100 + n, "Khách", f"Số {n}", "vi") for n in range(len(STEPS))]
    servers = [FakeBotApi(), FakeBotApi()]
    clock = tmp_path / "clock"
    set_clock_file(clock, datetime.combine(MONDAY, time(0), VN).astimezone(UTC).isoformat())
    replicas = [
        WebhookBot(
            server,
            database.url,
            module=["tests.fakes.replica", str(clock), "--tick-seconds", "0.2"],
        )
        for server in servers
    ]
    for server in servers:
        await server.start()
        server.known_chats.update(officials, (v.id for v in visitors))
    update_ids = iter(range(50_000, 60_000))
    try:
        await asyncio.gather(*(r.start() for r in replicas))
        async with aiohttp.ClientSession() as client:
            for step, (day, at) in enumerate(STEPS):
                moment = datetime.combine(MONDAY + timedelta(days=day), at, VN).astimezone(UTC).isoformat()
                set_clock_file(clock, moment)
                # While the replicas tick: one update delivered to both at once, one to each.
                visitor = visitors[step]
                twice = {"update_id": next(update_ids), **message(visitor, "/help")}
                statuses = await asyncio.gather(*(r.post(client, twice) for r in replicas))
                for replica in replicas:
                    once = {"update_id": next(update_ids), **message(visitor, "/help")}
                    statuses.append(await replica.post(client, once))
                assert statuses == [200] * 4

                # Both replicas have finished a tick at this moment before the clock moves on.
                def ticked(line: str, mark: str = f"simulated tick at {moment} (2)") -> bool:
                    return mark in line

                try:
                    await asyncio.gather(*(r.wait_for_line(ticked) for r in replicas))
                except TimeoutError:
                    tails = [r.lines[-5:] + [x for x in r.lines if " ERROR " in x][:5] for r in replicas]
                    raise AssertionError(f"no tick at {moment}: {tails}") from None
        async with database.unit_of_work() as session:
            rows = list((await session.scalars(select(OutboxMessage))).all())
        # The heads' own command menus travel through the outbox too, as setMyCommands calls, not messages.
        planned = [row for row in rows if row.kind != "command_menu"]
        menus = [row for row in rows if row.kind == "command_menu"]

        def settled() -> bool:
            sent = sum(len(s.messages_to(c)) for s in servers for c in officials)
            answered = sum(len(s.messages_to(v.id)) for s in servers for v in visitors)
            menus_set = all(any(s.chat_menu(int(row.address)) is not None for s in servers) for row in menus)
            return sent >= len(planned) and answered >= 3 * len(visitors) and menus_set

        await wait_on_either(servers, settled)
    finally:
        codes = [await r.stop() for r in replicas]
        for server in servers:
            await server.stop()

    n = len(officials)
    kinds = Counter(row.kind for row in planned)
    assert kinds == {
        "reminder": 4 * n,
        "selfcheck_open": n,
        "quiz": n,
        "selfcheck_nudge": n,
        "weekly_report": 2,
    }
    assert len(menus) == 2  # one per head, planned once at start-up although two replicas started
    # Every planned message reached Telegram exactly once, whichever replica sent it.
    per_chat = Counter(int(row.address) for row in planned)
    received = Counter({c: sum(len(s.messages_to(c)) for s in servers) for c in officials})
    assert received == per_chat
    async with database.unit_of_work() as session:
        recorded = (await session.execute(select(OutboxMessage.status, OutboxMessage.attempts))).all()
    assert Counter(recorded) == {("sent", 1): len(rows)}  # no row was ever claimed twice
    # Every update was handled once: three /help per visitor, one of them sent to both replicas.
    answers = {v.id: sum(len(s.messages_to(v.id)) for s in servers) for v in visitors}
    assert answers == {v.id: 3 for v in visitors}
    for replica in replicas:
        # At shutdown APScheduler cancels a job that is running and logs the CancelledError: by design, the
        # jobs are idempotent transactions. Everything before the stop must be free of errors.
        running = replica.log.split("Application is stopping", 1)[0]
        assert "Traceback" not in running, running[-3000:]
    assert codes == [0, 0]
    shares = [sum(len(s.messages_to(c)) for c in officials) for s in servers]
    skipped = [r.log.count("skipped: already taken") for r in replicas]
    print(f"outbox messages sent by each replica: {shares}; duplicate updates skipped: {skipped}")
    assert sum(skipped) == len(STEPS)
