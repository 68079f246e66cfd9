"""Outbox dispatch against fake chat servers enforcing each channel's limits, each in its own process.

`--channel telegram`: N messages (two per chat, so per-chat pacing matters) through the real Telegram
Dispatcher with PTB's AIORateLimiter against tests/fakes/botapi, at each of `--limits` (30/s, Telegram's
free limit, and 1 000/s, paid broadcasts, to show the dispatcher's own ceiling).
`--channel zalo`: the same through the Zalo dispatcher and ZaloPace against bench/zalo_api at
`--zalo-limit` (ZALO_RATE_LIMIT; Zalo's own quota is unpublished).
`--channel both`: one broadcast of N recipients, each person on exactly one channel (`--zalo-share` of
them on Zalo), both dispatchers in one process and one database, each at its own limit.

Printed per channel: messages/s as a share of the limit (the time runs from the dispatcher's start to the
last row recorded sent), the 429s received, duplicates, losses; for Zalo also sends closer than a second
to one chat.

    .venv/bin/python -m bench.dispatch [--channel telegram|zalo|both] [--messages 10000]
        [--database sqlite|postgresql] [--limits 30,1000] [--zalo-limit 5] [--zalo-share 0.5] [--pool 256]
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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import func, insert, select
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from handlers.telegram.delivery import Dispatcher, steady_rate_limiter
from handlers.zalo.client import ZaloClient
from handlers.zalo.delivery import ZaloDispatcher, ZaloPace, ZaloSender
from storage.clock import utcnow
from storage.engine import Database
from storage.migrate import upgrade
from storage.models import Channel, OutboxMessage

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:BENCH-token-for-the-fake-bot-api-server"
ZALO_TOKEN = "1234567890123456789:BENCH-zalo-token-for-the-fake-server"
PAYLOAD = {"unit_name": "Văn phòng", "locale": "vi"}  # join_rejected: one short text on either channel


@dataclass
class Lane:
    """One channel's part of a run: its addresses (each receives `per_chat` messages) and its limit."""

    channel: Channel
    limit: float
    addresses: list[str]
    per_chat: int

    @property
    def messages(self) -> int:
        return len(self.addresses) * self.per_chat


class TimedClient(ZaloClient):
    """Zalo's client, keeping how long each send took from leaving to being answered: the pace lets a send
    start only a second after the one `limit` places earlier was answered, so this time is what it costs."""

    def __init__(self, base_url: str, token: str) -> None:
        super().__init__(base_url, token)
        self.round_trips: list[float] = []

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        started = time.monotonic()
        try:
            return await super().send_message(chat_id, text)
        finally:
            self.round_trips.append(time.monotonic() - started)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback only
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


def start_server(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(  # started once, before anything is measured
        [sys.executable, "-m", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


async def seed(database: Database, lanes: list[Lane]) -> None:
    now = utcnow()
    rows = [
        {
            "dedupe_key": f"bench:{lane.channel}:{address}:{copy}",
            "kind": "join_rejected",
            "channel": lane.channel,
            "address": address,
            "payload": PAYLOAD,
            "status": "pending",
            "not_before": now,
            "attempts": 0,
            "created_at": now,
        }
        # copy-major: a chat's second message comes after every chat's first, as two planned rounds would
        for copy in range(max(lane.per_chat for lane in lanes))
        for lane in lanes
        if copy < lane.per_chat
        for address in lane.addresses
    ]
    async with database.unit_of_work() as session:
        for start in range(0, len(rows), 2000):
            await session.execute(insert(OutboxMessage), rows[start : start + 2000])


async def sent_rows(database: Database, channel: Channel) -> tuple[int, datetime | None]:
    async with database.unit_of_work() as session:
        count, last = (
            await session.execute(
                select(func.count(), func.max(OutboxMessage.sent_at)).where(
                    OutboxMessage.channel == channel, OutboxMessage.status == "sent"
                )
            )
        ).one()
    return int(count or 0), last


async def wait_all_sent(database: Database, lanes: list[Lane], deadline: float) -> None:
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        counts = [(await sent_rows(database, lane.channel))[0] for lane in lanes]
        if all(count >= lane.messages for count, lane in zip(counts, lanes, strict=True)):
            return


async def run_once(kind: str, lanes: list[Lane], *, pool: int = 256) -> list[dict[str, Any]]:
    servers: list[subprocess.Popen[str]] = []
    url, drop = await fresh_database(kind)
    closers: list[Any] = []
    try:
        await upgrade(url)
        database = Database(url, pool_size=20)
        await seed(database, lanes)
        dispatchers: list[Any] = []
        stats_urls: dict[Channel, str] = {}
        intervals: dict[Channel, float] = {}
        round_trips: dict[Channel, list[float]] = {}
        for lane in lanes:
            port = free_port()
            if lane.channel == Channel.TELEGRAM:
                chats = f"{lane.addresses[0]}-{lane.addresses[-1]}"
                server = start_server(
                    [
                        *(
                            "tests.fakes.botapi",
                            "--port",
                            str(port),
                            "--token",
                            TOKEN,
                            "--rate",
                            str(lane.limit),
                        ),
                        *("--per-chat-gap", "1", "--known-chats", chats),
                    ]
                )
                servers.append(server)
                assert server.stdout is not None
                server.stdout.readline()  # "fake Bot API on …": it is listening
                api = f"http://127.0.0.1:{port}"
                bot: ExtBot[int] = ExtBot(
                    TOKEN,
                    base_url=f"{api}/bot",
                    base_file_url=f"{api}/file/bot",
                    rate_limiter=steady_rate_limiter(int(lane.limit)),
                    # 256 as ApplicationBuilder gives the bot itself; a bare Bot gets a pool of one connection
                    request=HTTPXRequest(connection_pool_size=pool),
                )
                await bot.initialize()
                closers.append(bot.shutdown)
                stats_urls[lane.channel] = f"{api}/_test/stats"
                dispatchers.append(Dispatcher(bot, database, wakeup=asyncio.Event(), default_locale="vi"))
            else:
                server = start_server(
                    ["bench.zalo_api", "--port", str(port), "--token", ZALO_TOKEN, "--rate", str(lane.limit)]
                )
                servers.append(server)
                assert server.stdout is not None
                info = json.loads(server.stdout.readline())
                client, pace = TimedClient(info["url"], ZALO_TOKEN), ZaloPace(lane.limit)
                round_trips[lane.channel] = client.round_trips
                closers.append(client.close)
                stats_urls[lane.channel] = info["stats"]
                sender = ZaloSender(client, pace)
                intervals[lane.channel] = pace.interval
                dispatchers.append(
                    ZaloDispatcher(sender, database, wakeup=asyncio.Event(), default_locale="vi")
                )
        started_at = utcnow()
        started = time.monotonic()
        cpu_before = cpu_seconds()
        tasks = [asyncio.create_task(d.run()) for d in dispatchers]
        longest = max(lane.messages / lane.limit for lane in lanes)
        await wait_all_sent(database, lanes, started + max(120.0, longest * 3))
        for dispatcher in dispatchers:
            dispatcher.stop()
        await asyncio.gather(*tasks)
        cpu = cpu_seconds() - cpu_before
        total = sum(lane.messages for lane in lanes)
        # Unlike the rates, hardly changed by other work on the machine: the dispatcher's own cost.
        print(f"  CPU of the dispatching process: {cpu:.1f} s, {cpu / total * 1000:.2f} ms a message")
        results = [
            await lane_result(
                database,
                lane,
                stats_urls[lane.channel],
                started_at,
                started,
                intervals.get(lane.channel),
                round_trips.get(lane.channel, []),
            )
            for lane in lanes
        ]
        await database.dispose()
        return [{**result, "database": kind} for result in results]
    finally:
        for close in closers:
            await close()
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        if drop is not None:
            await drop()


async def lane_result(
    database: Database,
    lane: Lane,
    stats_url: str,
    started_at: datetime,
    started: float,
    interval: float | None,
    round_trips: list[float],
) -> dict[str, Any]:
    stats = fetch(stats_url)
    received: dict[str, int] = stats["per_chat"]
    sent, last = await sent_rows(database, lane.channel)
    async with database.unit_of_work() as session:
        retried = (
            await session.execute(
                select(OutboxMessage.last_error, func.count())
                .where(OutboxMessage.channel == lane.channel, OutboxMessage.attempts > 1)
                .group_by(OutboxMessage.last_error)
            )
        ).all()
    if retried:
        print(
            f"  {lane.channel}: rows retried, by last error:",
            {str(error)[:80]: count for error, count in retried},
            flush=True,
        )
    if stats.get("min_spacing") is not None and interval is not None:
        print(
            f"  {lane.channel}: closest two sends at the server {stats['min_spacing'] * 1000:.0f} ms apart "
            f"(the pace's interval: {interval * 1000:.0f} ms)",
            flush=True,
        )
    if stats.get("first") is not None and stats["sends"] > 1:
        # Monotonic clocks are system-wide: the server's times compare with this process's start.
        steady = (stats["sends"] - 1) / (stats["last"] - stats["first"])
        print(
            f"  {lane.channel}: first send {stats['first'] - started:.2f} s after the start, then "
            f"{steady:.1f} msgs/s at the server ({steady / lane.limit:.1%} of the limit)",
            flush=True,
        )
    if round_trips:
        ordered = sorted(round_trips)
        median, p95 = ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.95)]
        print(
            f"  {lane.channel}: a send's round trip {median * 1000:.0f} ms (median), "
            f"{p95 * 1000:.0f} ms (95th percentile): a second of sends costs a second and a round trip",
            flush=True,
        )
    seconds = (last - started_at).total_seconds() if last is not None else float("nan")
    rate = min(sent, lane.messages) / seconds if sent else 0.0
    return {
        "channel": str(lane.channel),
        "limit": lane.limit,
        "messages": lane.messages,
        "seconds": seconds,
        "rate": rate,
        "fraction": rate / lane.limit,
        "429s": stats["too_many_requests"],
        "duplicates": sum(max(0, count - lane.per_chat) for count in received.values()),
        "lost": lane.messages - sum(min(lane.per_chat, received.get(a, 0)) for a in lane.addresses),
        "too_fast": stats.get("too_fast", "-"),
    }


def zalo_ids(first: int, count: int) -> list[str]:
    """Zalo user ids are opaque hex text."""
    return [f"{n:016x}" for n in range(first, first + count)]


def plans(args: argparse.Namespace) -> list[list[Lane]]:
    if args.channel == "telegram":
        chats = [str(n) for n in range(1, args.messages // 2 + 1)]
        return [[Lane(Channel.TELEGRAM, int(x), chats, 2)] for x in args.limits.split(",")]
    if args.channel == "zalo":
        return [[Lane(Channel.ZALO, args.zalo_limit, zalo_ids(1, args.messages // 2), 2)]]
    on_zalo = round(args.messages * args.zalo_share)
    telegram_limit = int(args.limits.split(",")[0])
    telegram = [str(n) for n in range(1, args.messages - on_zalo + 1)]
    return [
        [
            Lane(Channel.TELEGRAM, telegram_limit, telegram, 1),
            Lane(Channel.ZALO, args.zalo_limit, zalo_ids(len(telegram) + 1, on_zalo), 1),
        ]
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channel", choices=["telegram", "zalo", "both"], default="telegram")
    parser.add_argument("--messages", type=int, default=10_000, help="messages (both: recipients)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--limits", default="30,1000", help="Telegram's limits (both: the first)")
    parser.add_argument("--zalo-limit", type=float, default=5.0, help="ZALO_RATE_LIMIT, messages a second")
    parser.add_argument("--zalo-share", type=float, default=0.5, help="both: the recipients on Zalo")
    parser.add_argument("--pool", type=int, default=256, help="Telegram: HTTP connections (the bot's 256)")
    args = parser.parse_args()
    print(
        f"{'database':<10} {'channel':<8} {'limit/s':>7} {'msgs':>6} {'seconds':>8} {'msgs/s':>8} "
        f"{'of limit':>8} {'429s':>5} {'dups':>5} {'lost':>5} {'<1s/chat':>8}"
    )
    for lanes in plans(args):
        for result in asyncio.run(run_once(args.database, lanes, pool=args.pool)):
            print(
                f"{result['database']:<10} {result['channel']:<8} {result['limit']:>7g} "
                f"{result['messages']:>6} "
                f"{result['seconds']:>8.1f} {result['rate']:>8.1f} {result['fraction']:>8.1%} "
                f"{result['429s']:>5} {result['duplicates']:>5} {result['lost']:>5} {result['too_fast']:>8}",
                flush=True,
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the dispatching process: {peak:.0f} MB")
    print("targets: >= 95% of the limit with 0 x 429, 0 duplicates, 0 lost; >= 500 msgs/s at a 1000/s limit")


if __name__ == "__main__":
    main()
