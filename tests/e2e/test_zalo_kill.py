"""SIGKILL in the middle of a broadcast to 300 Zalo recipients: `python -m bot run` with ZALO_BOT_TOKEN only,
against the fake Zalo server, killed and started again. Everyone gets the plan update; duplicates are bounded
by the sends in flight at the kill; nothing but the outbox (and the broadcast's progress) changes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from sqlalchemy import func, select, text

from bench.dispatch import free_port
from bot.cli_calendar import load_shipped_calendars
from compliance.broadcasts import sending as broadcasts
from compliance.office.accounts import ChannelUser, link
from compliance.office.officials import actor_of
from compliance.practice import planner
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Channel, Official, OfficialStatus, OutboxMessage, Role, Unit
from tests.child_clock import bot_module, clock_environment
from tests.consents import agree
from tests.e2e.test_kill import outbox_fixed, snapshot
from tests.fakes.zalo import FakeZalo

ROOT = Path(__file__).resolve().parent.parent.parent
RECIPIENTS = 300
USERS = [f"{0x5A10_0000 + n:016x}" for n in range(RECIPIENTS)]  # Zalo ids are opaque hex text
KILL_AFTER = 100
TEXT = "Kế hoạch tháng 3: họp giao ban sáng thứ Hai lúc 8 giờ."


async def seed(database: Database) -> None:
    """300 active officials on Zalo, an admin's broadcast to all of them, planned before the bot starts."""
    async with database.unit_of_work() as session:
        unit = Unit(code="KILLZ", name="Phòng thử", name_key="phòng thử", path="/", depth=0)
        session.add(unit)
        await session.flush()
        unit.path = f"/{unit.id}/"
        for n, user in enumerate(USERS):
            official = Official(
                full_name=f"Cán bộ {n}",
                name_key=f"cán bộ {n}",
                unit_id=unit.id,
                status=OfficialStatus.ACTIVE,
                locale="vi",
            )
            session.add(official)
            await session.flush()
            await link(session, official, ChannelUser(Channel.ZALO, user))
            await agree(session, official.id, "zalo")
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
        # What the bot's tick would record today is recorded now: its ticks during the test plan nothing.
        await planner.tick(session)
        draft = broadcasts.Draft(
            text=TEXT,
            target=broadcasts.Target(broadcasts.TargetKind.ALL),
            send_at=utcnow(),
            requires_ack=True,
        )
        broadcast = await broadcasts.create(session, actor=actor_of(admin), draft=draft)
    assert broadcast.total == RECIPIENTS


async def count_status(database: Database) -> dict[str, int]:
    async with database.unit_of_work() as session:
        result = await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        return {status: n for status, n in result}


def sends(fake: FakeZalo) -> int:
    return sum(len(fake.sent.get(user, [])) for user in USERS)


async def start_bot(fake: FakeZalo, database: Database, log: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "WEBHOOK_URL", "WEBHOOK_SECRET")}
    env.update(
        PYTHONPATH=str(ROOT),
        ZALO_BOT_TOKEN=fake.token,
        ZALO_API_URL=fake.url,
        DATABASE_URL=database.url,
        LOG_LEVEL="INFO",
        ZALO_RATE_LIMIT="100",
        # A killed process's rows are taken over after this; the live one renews its leases.
        OUTBOX_LEASE_SECONDS="2",
        PORT=str(free_port()),
        **clock_environment(),
    )
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


async def test_sigkill_mid_zalo_broadcast_serves_everyone_with_duplicates_only_in_flight(
    database: Database, tmp_path: Path
) -> None:
    await load_shipped_calendars(database.url)  # as `bot run` does first: not the kill's doing
    await seed(database)
    async with database.unit_of_work() as session:
        before = await snapshot(session)
        planned = await outbox_fixed(session)
    fake = FakeZalo()
    await fake.start()
    log = tmp_path / "bot.log"
    processes: list[asyncio.subprocess.Process] = []
    try:
        processes.append(await start_bot(fake, database, log))
        await fake.wait_for(lambda: sends(fake) >= KILL_AFTER, timeout=120)
        processes[0].send_signal(signal.SIGKILL)
        await processes[0].wait()
        at_kill = await count_status(database)
        sends_at_kill = sends(fake)
        in_flight = at_kill.get("sending", 0)
        assert at_kill.get("sent", 0) < RECIPIENTS, "the kill came after the delivery had finished"

        processes.append(await start_bot(fake, database, log))
        # The restarted bot sends every row not recorded as sent: those pending and those in flight.
        expected = sends_at_kill + RECIPIENTS - at_kill.get("sent", 0)
        await fake.wait_for(
            lambda: sends(fake) >= expected and all(fake.sent.get(user) for user in USERS), timeout=120
        )
        await fake.release_pollers()
        processes[1].send_signal(signal.SIGTERM)
        await asyncio.wait_for(processes[1].wait(), timeout=60)
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
        await fake.stop()
    output = log.read_text()
    assert processes[1].returncode == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert fake.token not in output

    received = {user: len(fake.sent.get(user, [])) for user in USERS}
    duplicates = sum(n - 1 for n in received.values())
    print(
        f"\n[{database.dialect}] Zalo: sent {sends(fake)} messages to {RECIPIENTS} recipients; killed after "
        f"{sends_at_kill} sends with {at_kill.get('sent', 0)} recorded; in flight at the kill: {in_flight}; "
        f"duplicates: {duplicates}"
    )
    assert min(received.values()) >= 1  # every recipient got the plan update
    assert duplicates <= in_flight
    texts = {m["text"] for user in USERS for m in fake.sent[user]}
    assert len(texts) == 1 and TEXT in next(iter(texts)) and len(next(iter(texts))) <= 2000
    assert fake.too_many_requests == 0

    async with database.unit_of_work() as session:
        after = await snapshot(session)
        assert await outbox_fixed(session) == planned  # no row lost, none added, none rewritten
        statuses = (await session.execute(text("SELECT status, count(*) FROM outbox GROUP BY status"))).all()
    assert [tuple(row) for row in statuses] == [("sent", RECIPIENTS)]
    # A tick crossing a schedule time during the test may record an event that planned nothing.
    new_events = set(after.pop("planned_events")) - set(before.pop("planned_events"))
    assert all(row[5] == 0 for row in new_events), new_events  # (id, kind, scope, day, status, planned, at)
    assert after == before
