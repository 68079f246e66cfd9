"""Running the bot as a real process for benchmarks: a fresh database seeded with officials, the fake Bot API
server as its own process, stopping, peak memory, and the /me updates the load is made of."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import IO, Any

import asyncpg
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from bench.dispatch import free_port
from compliance.office.units import UnitTree
from compliance.text import name_key
from storage.clock import utcnow
from storage.engine import Database
from storage.migrate import upgrade
from storage.models import Channel, ChannelAccount, Official, OfficialStatus, Role

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TOKEN = "123456789:BENCH-token-for-the-fake-bot-api-server"
DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
FIRST_USER_ID = 100_000_001
UNITS = [
    ["Sở Nội vụ", "Văn phòng"],
    ["Sở Nội vụ", "Phòng Tổ chức"],
    ["Sở Nội vụ", "Phòng Công chức", "Tổ Tuyển dụng"],
    ["Sở Tư pháp", "Văn phòng"],
    ["Sở Tư pháp", "Phòng Hành chính"],
    ["UBND phường Bến Nghé"],
]
FIRST_NAMES = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Minh", "Trang"]
LAST_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
SEED_CHUNK = 2000
# TELEGRAM_RATE_LIMIT's ceiling (bot/settings.py): paid broadcasts allow up to 1 000 messages/s.
MAX_RATE_LIMIT = 1000
NO_LIMIT = "camket-nolimit"
# Environment a developer may have set that would change how the bot runs (webhook, admins).
SCRUBBED_ENV = ("WEBHOOK_URL", "WEBHOOK_SECRET", "ADMIN_IDS", "DEFAULT_LOCALE", "PORT", "TELEGRAM_RATE_LIMIT")


# ---- databases -----------------------------------------------------------------------------------------
@contextlib.asynccontextmanager
async def fresh_database(kind: str, directory: Path) -> AsyncIterator[str]:
    """The URL of an empty, migrated database; a PostgreSQL one is dropped at the end."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{directory / 'bench.db'}"
        await upgrade(url)
        yield url  # the file goes with the temporary directory
        return
    server = make_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG_URL))
    admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"ckb_bench_{uuid.uuid4().hex[:10]}"
    url = server.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
    async with created_database(admin_dsn, name, url):
        yield url


@contextlib.asynccontextmanager
async def created_database(admin_dsn: str, name: str, url: str) -> AsyncIterator[None]:
    """CREATE DATABASE `name`, migrate it (at `url`), and drop it at the end, whatever happened."""
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    try:
        await upgrade(url)
        yield
    finally:
        connection = await asyncpg.connect(admin_dsn)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


def user_id_of(index: int) -> int:
    return FIRST_USER_ID + index


async def seed_officials(url: str, count: int) -> None:
    """`count` officials who have joined: active, with a Telegram id, spread over a handful of units."""
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            tree = await UnitTree.load(session)
            unit_ids = [(await tree.ensure(path)).id for path in UNITS]
        now = utcnow()
        for start in range(0, count, SEED_CHUNK):
            rows: list[dict[str, Any]] = []
            for i in range(start, min(start + SEED_CHUNK, count)):
                full_name = f"{LAST_NAMES[i % len(LAST_NAMES)]} Văn {FIRST_NAMES[i % len(FIRST_NAMES)]} {i}"
                rows.append(
                    {
                        "full_name": full_name,
                        "name_key": name_key(full_name),
                        "role": Role.OFFICIAL,
                        "status": OfficialStatus.ACTIVE,
                        "locale": "vi" if i % 2 == 0 else "en",
                        "unit_id": unit_ids[i % len(unit_ids)],
                        "phone": f"+8491{i:07d}",
                        "created_at": now,
                        "updated_at": now,
                        "joined_at": now,
                    }
                )
            async with database.unit_of_work() as session:
                ids = await session.scalars(
                    insert(Official).returning(Official.id, sort_by_parameter_order=True), rows
                )
                accounts = [
                    {
                        "official_id": official_id,
                        "channel": Channel.TELEGRAM,
                        "external_id": str(user_id_of(i)),
                        "chat_id": str(user_id_of(i)),
                        "linked_at": now,
                        "last_seen_at": now,
                    }
                    for i, official_id in zip(range(start, start + len(rows)), ids, strict=True)
                ]
                await session.execute(insert(ChannelAccount), accounts)
    finally:
        await database.dispose()


# ---- processes -----------------------------------------------------------------------------------------
async def stop_process(process: asyncio.subprocess.Process, *, grace: float = 20.0) -> None:
    """SIGTERM, then SIGKILL if it has not ended within `grace` seconds."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), grace)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


@contextlib.asynccontextmanager
async def fake_bot_api(
    log: IO[bytes], *, options: Sequence[str] = (), start_timeout: float = 30
) -> AsyncIterator[str]:
    """A fake Bot API server in a subprocess (with its command-line `options`: --rate, --known-chats …);
    yields its URL once it listens."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        PYTHON,
        "-m",
        "tests.fakes.botapi",
        "--port",
        str(port),
        "--token",
        TOKEN,
        *options,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=log,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), start_timeout)
        if b"fake Bot API on" not in line:
            raise RuntimeError(f"the fake Bot API server did not start (said {line!r})")
        yield f"http://127.0.0.1:{port}"
    finally:
        await stop_process(process, grace=5)


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM, the peak resident set size of a process, in MB (None once it has ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


# ---- load ----------------------------------------------------------------------------------------------
def me_update(user_id: int, message_id: int) -> dict[str, Any]:
    first_name = f"User{user_id}"
    return {
        "message": {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": first_name},
            "from": {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"},
            "text": "/me",
            "entities": [{"type": "bot_command", "offset": 0, "length": 3}],
        }
    }


def load_updates(user_ids: list[int], total: int) -> list[dict[str, Any]]:
    """`total` /me updates, round-robin over the users, so one chat's updates are never adjacent."""
    rounds = math.ceil(total / len(user_ids))
    updates = [me_update(uid, 2 + r) for r in range(rounds) for uid in user_ids]
    return updates[:total]


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]
