"""Outbox dispatch against the fake Bot API server enforcing Telegram's limits.

Queues N messages (two per chat, so per-chat pacing matters), runs the real Dispatcher with PTB's
AIORateLimiter, and prints messages/s as a fraction of the limit, the 429s received, duplicates and losses.
Then the same with the limit raised to 1 000/s (paid broadcasts) to show the dispatcher's own ceiling.

    .venv/bin/python -m bench.dispatch [--messages 10000] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import func, insert, select
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from handlers.telegram.delivery import Dispatcher, steady_rate_limiter
from storage.clock import utcnow
from storage.engine import Database
from storage.migrate import upgrade
from storage.models import OutboxMessage

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:BENCH-token-for-the-fake-bot-api-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, data: bytes | None = None) -> Any:
    with urllib.request.urlopen(url, data=data, timeout=30) as response:  # noqa: S310 - loopback only
        return json.loads(response.read())


async def fresh_database(kind: str) -> tuple[str, Any]:
    if kind == "sqlite":
        directory = tempfile.mkdtemp(prefix="bench-dispatch-")
        return f"sqlite+aiosqlite:///{directory}/bench.db", None
    server = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"ckb_bench_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(server)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()

    async def drop() -> None:
        conn = await asyncpg.connect(server)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    base = server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}", drop


async def run_once(kind: str, messages: int, limit: int) -> dict[str, Any]:
    chats = messages // 2
    port = free_port()
    server = subprocess.Popen(  # noqa: ASYNC220 - started once, before anything is measured
        [
            sys.executable,
            "-m",
            "tests.fakes.botapi",
            "--port",
            str(port),
            "--token",
            TOKEN,
            "--rate",
            str(limit),
            "--per-chat-gap",
            "1",
            "--known-chats",
            f"1-{chats}",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url, drop = await fresh_database(kind)
    try:
        assert server.stdout is not None
        server.stdout.readline()  # "fake Bot API on …": it is listening
        await upgrade(url)
        database = Database(url, pool_size=20)
        now = utcnow()
        rows = [
            {
                "dedupe_key": f"bench:{n}",
                "kind": "join_rejected",
                "chat_id": 1 + n % chats,
                "payload": {"unit_name": "Văn phòng", "locale": "vi"},
                "status": "pending",
                "not_before": now,
                "attempts": 0,
                "created_at": now,
            }
            for n in range(messages)
        ]
        async with database.unit_of_work() as session:
            for start in range(0, len(rows), 2000):
                await session.execute(insert(OutboxMessage), rows[start : start + 2000])
        api = f"http://127.0.0.1:{port}"
        bot: ExtBot[int] = ExtBot(
            TOKEN,
            base_url=f"{api}/bot",
            base_file_url=f"{api}/file/bot",
            rate_limiter=steady_rate_limiter(limit),
            # as ApplicationBuilder does for the bot itself; a bare Bot would get a pool of one connection
            request=HTTPXRequest(connection_pool_size=256),
        )
        await bot.initialize()
        dispatcher = Dispatcher(bot, database, wakeup=asyncio.Event(), default_locale="vi")
        started = time.perf_counter()
        task = asyncio.create_task(dispatcher.run())
        deadline = started + max(120.0, messages / limit * 3)
        sent = 0
        while time.perf_counter() < deadline:
            await asyncio.sleep(0.5)
            async with database.unit_of_work() as session:
                sent = int(
                    await session.scalar(
                        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent")
                    )
                    or 0
                )
            if sent >= messages:
                break
        elapsed = time.perf_counter() - started
        dispatcher.stop()
        await task
        await bot.shutdown()
        stats = fetch(f"{api}/_test/stats")
        received = stats["per_chat"]
        duplicates = sum(max(0, count - 2) for count in received.values())
        delivered = sum(min(2, count) for count in received.values())
        async with database.unit_of_work() as session:
            retried = (
                await session.execute(
                    select(OutboxMessage.last_error, func.count())
                    .where(OutboxMessage.attempts > 1)
                    .group_by(OutboxMessage.last_error)
                )
            ).all()
            if retried:
                print(
                    "  rows sent more than once or retried, by last error:",
                    {str(error)[:80]: count for error, count in retried},
                    flush=True,
                )
            failed = int(
                await session.scalar(
                    select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "failed")
                )
                or 0
            )
        await database.dispose()
        rate = stats["sends"] / elapsed
        return {
            "database": kind,
            "limit": limit,
            "messages": messages,
            "seconds": elapsed,
            "rate": rate,
            "fraction": rate / limit,
            "429s": stats["too_many_requests"],
            "duplicates": duplicates,
            "lost": messages - delivered,
            "failed_rows": failed,
            "sent_rows": sent,
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
        if drop is not None:
            await drop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--limits", default="30,1000", help="comma-separated overall limits to run")
    args = parser.parse_args()
    print(
        f"{'database':<10} {'limit/s':>7} {'msgs':>6} {'seconds':>8} {'msgs/s':>8} {'of limit':>8} "
        f"{'429s':>5} {'dups':>5} {'lost':>5}"
    )
    for limit in (int(x) for x in args.limits.split(",")):
        result = asyncio.run(run_once(args.database, args.messages, limit))
        print(
            f"{result['database']:<10} {limit:>7} {result['messages']:>6} {result['seconds']:>8.1f} "
            f"{result['rate']:>8.1f} {result['fraction']:>8.1%} {result['429s']:>5} "
            f"{result['duplicates']:>5} {result['lost']:>5}",
            flush=True,
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the dispatching process: {peak:.0f} MB")
    print("targets: >= 95% of the limit with 0 x 429, 0 duplicates, 0 lost; >= 500 msgs/s at a 1000/s limit")


if __name__ == "__main__":
    main()
