"""SIGKILL in the middle of a 1 000-recipient delivery: `python -m bot run` as a real process, killed
and started again. Every recipient gets the message; duplicates are bounded by the sends in flight at the
kill; nothing but the outbox changes in the database."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bench.dispatch import free_port
from bot.cli_calendar import load_shipped_calendars
from compliance.broadcasts import sending as broadcasts
from compliance.delivery.outbox import OUTBOX_COLUMNS
from compliance.office.officials import actor_of
from compliance.practice import planner
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Official, OfficialStatus, OutboxMessage, Role, Unit
from storage.schema import metadata
from tests.child_clock import bot_module, clock_environment
from tests.factories import telegram_official
from tests.fakes.botapi import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent.parent
RECIPIENTS = 1000
FIRST_CHAT = 20_000
CHATS = range(FIRST_CHAT, FIRST_CHAT + RECIPIENTS)
KILL_AFTER = 300
TEXT = "Kế hoạch tháng 3: họp giao ban sáng thứ Hai lúc 8 giờ."
# Tables the bot may legitimately write while it only delivers: the outbox (compared on its own, below)
# and PTB's conversation states; of the broadcast, its state as delivery goes on; the satisfaction
# figures' roll-up, derived from the ratings and caught up at each start (bot.server.roll_up_ratings).
OWN_TABLES = {"outbox", "conversation_states", "rating_rollup", "rating_days", "rating_months"}
BROADCAST_PROGRESS = {"status", "finished_at", "progress_shown"}
# What planning wrote and sending never changes.
OUTBOX_FIXED = ("id", *(c for c in OUTBOX_COLUMNS if c not in ("status", "not_before", "attempts")))


async def seed(database: Database) -> None:
    """1 000 active officials with Telegram ids, and an admin's broadcast to all of them."""
    async with database.unit_of_work() as session:
        unit = Unit(code="KILL", name="Phòng thử", name_key="phòng thử", path="/", depth=0)
        session.add(unit)
        await session.flush()
        unit.path = f"/{unit.id}/"
        for n, chat in enumerate(CHATS):
            await telegram_official(
                session,
                chat,
                full_name=f"Cán bộ {n}",
                name_key=f"cán bộ {n}",
                unit_id=unit.id,
                status=OfficialStatus.ACTIVE,
                locale="vi",
            )
        admin = Official(
            full_name="Văn phòng",
            name_key="văn phòng",
            unit_id=unit.id,
            role=Role.ADMIN,
            status=OfficialStatus.ACTIVE,
        )
        session.add(admin)
        await session.flush()
        await session.refresh(admin, ["unit"])
        # What the bot's minute tick would record today is recorded now, so its ticks during the test
        # find nothing new to plan.
        await planner.tick(session)
        draft = broadcasts.Draft(
            text=TEXT,
            target=broadcasts.Target(broadcasts.TargetKind.ALL),
            send_at=utcnow(),
            requires_ack=True,
        )
        broadcast = await broadcasts.create(session, actor=actor_of(admin), draft=draft)
    assert broadcast.total == RECIPIENTS


async def snapshot(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for table in metadata.sorted_tables:
        if table.name in OWN_TABLES:
            continue
        columns = [
            c for c in table.columns if not (table.name == "broadcasts" and c.name in BROADCAST_PROGRESS)
        ]
        rows = await session.execute(select(*columns).order_by(*table.primary_key.columns))
        tables[table.name] = [tuple(row) for row in rows]
    return tables


async def outbox_fixed(session: AsyncSession) -> list[tuple[Any, ...]]:
    columns = [getattr(OutboxMessage, name) for name in OUTBOX_FIXED]
    return [tuple(row) for row in await session.execute(select(*columns).order_by(OutboxMessage.id))]


async def count_status(database: Database) -> dict[str, int]:
    async with database.unit_of_work() as session:
        result = await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        return {status: n for status, n in result}


def sends(server: FakeBotApi) -> int:
    return sum(len(server.sent.get(chat, [])) for chat in CHATS)


async def start_bot(server: FakeBotApi, database: Database, log: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": server.token,
        "TELEGRAM_API_URL": server.url,
        "DATABASE_URL": database.url,
        "LOG_LEVEL": "INFO",
        "TELEGRAM_RATE_LIMIT": "200",
        # A killed process's rows are taken over after this; the live one renews its leases.
        "OUTBOX_LEASE_SECONDS": "2",
        "PORT": str(free_port()),  # the web server's, beside any other process on this machine
        **clock_environment(),
    }
    with log.open("ab") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            *bot_module(),
            "run",
            env=env,
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
        )


async def test_sigkill_mid_delivery_loses_nothing_and_duplicates_only_what_was_in_flight(
    database: Database, tmp_path: Path
) -> None:
    await load_shipped_calendars(database.url)  # as `bot run` does first: not the kill's doing
    await seed(database)
    async with database.unit_of_work() as session:
        before = await snapshot(session)
        planned = await outbox_fixed(session)
    server = FakeBotApi()
    server.known_chats.update(CHATS)
    await server.start()
    log = tmp_path / "bot.log"
    processes: list[asyncio.subprocess.Process] = []
    try:
        processes.append(await start_bot(server, database, log))
        await server.wait_for(lambda: sends(server) >= KILL_AFTER, timeout=120)
        processes[0].send_signal(signal.SIGKILL)
        await processes[0].wait()
        at_kill = await count_status(database)
        sends_at_kill = sends(server)
        in_flight = at_kill.get("sending", 0)
        assert at_kill.get("sent", 0) < RECIPIENTS, "the kill came after the delivery had finished"

        processes.append(await start_bot(server, database, log))
        # The restarted bot sends every row not recorded as sent: those pending and those in flight.
        expected = sends_at_kill + RECIPIENTS - at_kill.get("sent", 0)
        await server.wait_for(
            lambda: sends(server) >= expected and all(server.sent.get(chat) for chat in CHATS), timeout=120
        )
        await server.release_pollers()
        processes[1].send_signal(signal.SIGTERM)
        await asyncio.wait_for(processes[1].wait(), timeout=60)
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
        await server.stop()
    output = log.read_text()
    assert processes[1].returncode == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]

    received = {chat: len(server.messages_to(chat)) for chat in CHATS}
    duplicates = sum(n - 1 for n in received.values())
    print(
        f"\n[{database.dialect}] sent {sends(server)} messages to {RECIPIENTS} recipients; killed after "
        f"{sends_at_kill} sends with {at_kill.get('sent', 0)} recorded; in flight at the kill: {in_flight}; "
        f"duplicates: {duplicates}"
    )
    assert min(received.values()) >= 1  # every recipient got the message
    assert duplicates <= in_flight
    texts = {m["text"] for chat in CHATS for m in server.messages_to(chat)}
    assert len(texts) == 1 and TEXT in next(iter(texts))

    async with database.unit_of_work() as session:
        after = await snapshot(session)
        assert await outbox_fixed(session) == planned  # no row lost, none added, none rewritten
        statuses = (await session.execute(text("SELECT status, count(*) FROM outbox GROUP BY status"))).all()
    assert [tuple(row) for row in statuses] == [("sent", RECIPIENTS)]
    # A tick crossing a schedule time during the test may record an event that planned nothing.
    new_events = set(after.pop("planned_events")) - set(before.pop("planned_events"))
    assert all(row[5] == 0 for row in new_events), new_events  # (id, kind, scope, day, status, planned, at)
    assert after == before
