"""A broadcast with a document to N officials through the real bot and a rate-limited fake Bot API.

    python -m bench.broadcast                             # SQLite, 10 000 recipients at 30/s, 5 000 acks
    python -m bench.broadcast --rate 1000                 # the bot's own ceiling (paid broadcasts)
    python -m bench.broadcast --database-url postgresql://postgres@127.0.0.1:5432/ckb_bench_broadcast

The bot is the real process (`python -m bot run`, TELEGRAM_RATE_LIMIT = --rate) against the fake server
(bench/broadcast_api.py, answering 429 beyond --rate messages/s overall), both on 127.0.0.1. An admin
composes the broadcast through the /broadcast conversation (text, the PDF, everyone, send now, ask for
confirmation, confirm); from the confirm press on, the measured path is the real one: one transaction
plans the outbox rows, the dispatcher sends a copy to each chat by file_id. Then --acks recipients press
"✅ Received" on their own copy, all injected at once in batches of 100.

Figures: confirm press → last first copy, against the physical minimum recipients / rate; 429s,
duplicates (a chat given the document twice) and lost (never given it); presses/s, press → edited button
latency (including the wait in the backlog) and the bot's own handling time per press (its log); the
BroadcastAck rows; the bot process's peak RSS (VmHWM). It prints figures, and exits 1 if something went
wrong (lost or duplicated copies, a wrong number of acknowledgements, errors in the bot's log, a timeout).

Clocks: the fake server stamps with time.perf_counter() in its own process; on Linux that is
CLOCK_MONOTONIC, shared by every process, so it is compared directly with this script's perf_counter().
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from bench.bot_process import (
    PYTHON,
    ROOT,
    SCRUBBED_ENV,
    TOKEN,
    peak_rss_mb,
    percentile,
    stop_process,
    user_id_of,
)
from bench.broadcast_seed import bench_database, seed
from bench.dispatch import free_port
from storage.engine import Database
from storage.models import OutboxMessage
from storage.models_broadcast import Broadcast, BroadcastAck
from tests.factories import FakeUser, buttons, document, message, press

ADMIN = FakeUser(user_id_of(0), "Quản trị", "Văn phòng", "vi")  # seeded official 0, raised by ADMIN_IDS
TEXT = "Kế hoạch số 15/KH-SGTVT: triển khai “Công sở thân thiện” năm 2027. Đề nghị mọi người đọc kỹ."
HANDLED = re.compile(r"bot\.updates: update (\d+) user \S+ handler \S+ ([\d.]+) ms")
BATCH = 100


class Api:
    """The fake server's control endpoints and bench.broadcast_api's counters, seen from here."""

    def __init__(self, client: aiohttp.ClientSession, url: str, counters: str) -> None:
        self.client, self.url, self.counters = client, url, counters

    async def get(self, url: str, **query: str) -> Any:
        async with self.client.get(url, params=query) as response:
            response.raise_for_status()
            return await response.json()

    async def inject(self, updates: list[dict[str, Any]]) -> list[int]:
        async with self.client.post(f"{self.url}/_test/updates", json=updates) as response:
            response.raise_for_status()
            return [int(i) for i in (await response.json())["update_ids"]]

    async def brief(self, *, times: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = await self.get(
            f"{self.counters}/counters", **({"times": "1"} if times else {})
        )
        return body

    async def answer(
        self, chat: int, after: int, wanted: Callable[[dict[str, Any]], bool], within: float
    ) -> dict[str, Any]:
        """The first message to `chat` after its `after` first ones that `wanted` accepts."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            messages: list[dict[str, Any]] = await self.get(f"{self.counters}/sent", chat=str(chat))
            found = next((m for m in messages[after:] if wanted(m)), None)
            if found is not None:
                return found
            await asyncio.sleep(0.05)
        raise TimeoutError(f"the bot did not answer in chat {chat} within {within:.0f} s")

    async def step(
        self, update: dict[str, Any], wanted: Callable[[dict[str, Any]], bool], within: float
    ) -> Any:
        before = len(await self.get(f"{self.counters}/sent", chat=str(ADMIN.id)))
        await self.inject([update])
        return await self.answer(ADMIN.id, before, wanted, within)


def with_button(prefix: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: any(b["callback_data"].startswith(prefix) for b in buttons(m))


def anything(_: dict[str, Any]) -> bool:
    return True


async def compose(api: Api, file_meta: dict[str, Any], startup_timeout: float) -> dict[str, Any]:
    """The admin's way through /broadcast, up to the summary with "✅ Confirm and send" (as the e2e test)."""
    await api.step(message(ADMIN, "/broadcast"), anything, startup_timeout)
    await api.step(message(ADMIN, TEXT), with_button("bc:skip"), 30)
    targets = await api.step(document(ADMIN, file_meta, "application/pdf"), with_button("bc:t:all"), 30)
    when = await api.step(press(ADMIN, targets, "bc:t:all"), with_button("bc:w:now"), 30)
    ack = await api.step(press(ADMIN, when, "bc:w:now"), with_button("bc:a:1"), 30)
    summary: dict[str, Any] = await api.step(press(ADMIN, ack, "bc:a:1"), with_button("bc:ok"), 60)
    return summary


async def outbox_states(url: str) -> tuple[int, int, dict[str, int]]:
    """The broadcast's id, its recorded total, and its outbox rows by status."""
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            broadcast = (await session.scalars(select(Broadcast))).one()
            rows = await session.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.broadcast_id == broadcast.id)
                .group_by(OutboxMessage.status)
            )
            return broadcast.id, broadcast.total, {str(status): int(n) for status, n in rows}
    finally:
        await database.dispose()


async def count_acks(url: str, broadcast_id: int) -> int:
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            query = (
                select(func.count())
                .select_from(BroadcastAck)
                .where(BroadcastAck.broadcast_id == broadcast_id)
            )
            return int(await session.scalar(query) or 0)
    finally:
        await database.dispose()


async def deliver(
    api: Api,
    bot: asyncio.subprocess.Process,
    summary: dict[str, Any],
    args: argparse.Namespace,
    problems: list[str],
) -> dict[str, Any]:
    """Press confirm; wait until every recipient has a copy (or nothing moves for a minute)."""
    start = await api.brief()
    confirmed = time.perf_counter()
    await api.inject([press(ADMIN, summary, "bc:ok")])
    deadline = confirmed + args.recipients / args.rate * 1.5 + 120
    last_count, last_change, last_print = 0, confirmed, confirmed
    while True:
        await asyncio.sleep(0.5)
        now, count = time.perf_counter(), (await api.brief())["documents"] - start["documents"]
        if count >= args.recipients:
            break
        if count != last_count:
            last_count, last_change = count, now
        if now - last_print >= 30:
            last_print = now
            print(f"  … {count} copies after {now - confirmed:.0f} s", flush=True)
        if now - last_change > 60 or now > deadline or bot.returncode is not None:
            problems.append(f"delivery stopped at {count} of {args.recipients} copies")
            break
    final = await api.brief(times=True)
    copies = [(int(chat), at) for chat, at in final["document_times"][start["documents"] :]]
    first: dict[int, float] = {}
    for chat, at in copies:
        first.setdefault(chat, at)
    per_chat = Counter(chat for chat, _ in copies)
    recipients = {user_id_of(i) for i in range(args.recipients)}
    return {
        "seconds": max(first.values(), default=confirmed) - confirmed,
        "first_copy": min(first.values(), default=confirmed) - confirmed,
        "429s": final["too_many_requests"] - start["too_many_requests"],
        "duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
        "lost": len(recipients - first.keys()),
        "strangers": len(first.keys() - recipients),
    }


async def acknowledge(
    api: Api, broadcast_id: int, args: argparse.Namespace, problems: list[str]
) -> dict[str, Any]:
    """--acks recipients (never the admin) press "✅ Received" on their own copy, all at once."""
    sent: dict[str, list[dict[str, Any]]] = await api.get(f"{api.url}/_test/sent")
    data = f"ack:{broadcast_id}"
    updates = []
    for index in random.Random(7).sample(range(1, args.recipients), args.acks):
        chat = user_id_of(index)
        copy = next((m for m in sent.get(str(chat), []) if "document" in m and with_button(data)(m)), None)
        if copy is None:
            problems.append(f"no copy to press in chat {chat}")
            continue
        updates.append(press(FakeUser(chat, f"User{chat}", "", "vi"), copy, data))
    del sent
    start = await api.brief()
    began = time.perf_counter()
    ids: set[int] = set()
    for i in range(0, len(updates), BATCH):
        ids.update(await api.inject(updates[i : i + BATCH]))
    injected = time.perf_counter() - began
    deadline = began + len(updates) / min(args.rate, 500) * 2 + 120
    while (done := (await api.brief())["edits"] - start["edits"]) < len(updates):
        if time.perf_counter() > deadline:
            problems.append(f"only {done} of {len(updates)} presses answered in time")
            break
        await asyncio.sleep(0.2)
    final = await api.brief(times=True)
    edits = final["edit_times"][start["edits"] :]
    last = max((at for _, at in edits), default=began)
    return {
        "presses": len(updates),
        "ids": ids,
        "injected": injected,
        "per_second": len(edits) / (last - began) if edits else None,
        "latencies": [float(x) for x in final["edit_latencies_ms"][start["edit_latencies"] :]],
    }


async def start_api(args: argparse.Namespace, log: Any) -> tuple[asyncio.subprocess.Process, dict[str, Any]]:
    """The fake server's process, and what it said once listening: its URL, its counters' URL, the file."""
    port = free_port()
    chats = f"{user_id_of(0)}-{user_id_of(args.recipients - 1)}"
    command = ["-m", "bench.broadcast_api", "--port", str(port), "--token", TOKEN, "--rate", str(args.rate)]
    process = await asyncio.create_subprocess_exec(
        PYTHON, *command, "--chats", chats, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=log
    )
    assert process.stdout is not None
    try:
        ready: dict[str, Any] = json.loads(await asyncio.wait_for(process.stdout.readline(), 30))
    except (TimeoutError, ValueError):
        await stop_process(process, grace=5)
        raise RuntimeError("the fake Bot API server did not start") from None
    return process, ready


async def bench(args: argparse.Namespace, directory: Path) -> int:
    problems: list[str] = []
    async with bench_database(args.database_url, directory) as url:
        started = time.perf_counter()
        await seed(url, args.recipients)
        print(f"seeded {args.recipients} officials in {time.perf_counter() - started:.1f} s", flush=True)
        bot_log_path = directory / "bot.log"
        with (directory / "api.log").open("wb") as api_log, bot_log_path.open("wb") as bot_log:
            server, ready = await start_api(args, api_log)
            api_url = str(ready["url"])
            env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
            env.update(
                BOT_TOKEN=TOKEN,
                DATABASE_URL=url,
                TELEGRAM_API_URL=api_url,
                ADMIN_IDS=str(ADMIN.id),
                TELEGRAM_RATE_LIMIT=str(args.rate),
                LOG_LEVEL="INFO",  # one line per update, with its handling time
                PYTHONUNBUFFERED="1",
                PORT=str(free_port()),  # the web server's: a port of its own
            )
            bot = await asyncio.create_subprocess_exec(
                PYTHON, "-m", "bot", "run", cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
                stdout=bot_log, stderr=bot_log,
            )  # fmt: skip
            try:
                async with aiohttp.ClientSession() as client:
                    api = Api(client, api_url, str(ready["counters"]))
                    summary = await compose(api, ready["file"], args.startup_timeout)
                    delivery = await deliver(api, bot, summary, args, problems)
                    rss_delivery = peak_rss_mb(bot.pid)
                    # The answers are recorded a few dozen at a time: wait until every row has its outcome.
                    for _ in range(60):
                        broadcast_id, total, states = await outbox_states(url)
                        if states.get("sent", 0) + states.get("failed", 0) >= total:
                            break
                        await asyncio.sleep(0.5)
                    acks = await acknowledge(api, broadcast_id, args, problems) if args.acks else None
                    rss_end = peak_rss_mb(bot.pid)
                    ack_rows = await count_acks(url, broadcast_id)
            except BaseException:
                print(
                    "---- the end of the bot's log ----",
                    *bot_log_path.read_text().splitlines()[-20:],
                    sep="\n",
                )
                raise
            finally:
                await stop_process(bot)
                await stop_process(server, grace=5)
        lines = bot_log_path.read_text(errors="replace").splitlines()
    minimum, seconds = args.recipients / args.rate, delivery["seconds"]
    print(
        f"\ndelivery, confirm press → last first copy: {seconds:.1f} s; physical minimum "
        f"{args.recipients} / {args.rate:g} per s = {minimum:.1f} s; ratio {seconds / minimum:.2f} "
        f"({args.recipients / seconds:.1f} copies/s; first copy after {delivery['first_copy']:.2f} s)"
    )
    print(
        f"  429s {delivery['429s']}, duplicates {delivery['duplicates']}, lost {delivery['lost']}; "
        f"broadcast total {total}, outbox rows {dict(sorted(states.items()))}"
    )
    for name in ("duplicates", "lost", "strangers"):
        if delivery[name]:
            problems.append(f"{delivery[name]} {name}")
    if total != args.recipients:
        problems.append(f"the broadcast counted {total} recipients, not {args.recipients}")
    if acks is not None:
        handled = [float(m[2]) for m in map(HANDLED.search, lines) if m and int(m[1]) in acks["ids"]]
        rate = "—" if acks["per_second"] is None else f"{acks['per_second']:.1f}"
        print(
            f"acknowledgements: {acks['presses']} presses injected in {acks['injected']:.2f} s, "
            f"{rate} presses/s answered (edits go through the {args.rate:g}/s limiter); "
            f"press → edited button p50 {_ms(percentile(acks['latencies'], 50))} "
            f"p99 {_ms(percentile(acks['latencies'], 99))} (with the backlog); handling p50 "
            f"{_ms(percentile(handled, 50))} p99 {_ms(percentile(handled, 99))}"
        )
        print(f"  BroadcastAck rows {ack_rows} (expected exactly {args.acks})")
        if ack_rows != args.acks:
            problems.append(f"{ack_rows} BroadcastAck rows for {args.acks} presses")
    print(f"peak RSS of the bot process: {_mb(rss_delivery)} after the delivery, {_mb(rss_end)} at the end")
    errors = [line for line in lines if " ERROR " in line or line.startswith("Traceback")]
    if errors:
        problems.append(f"{len(errors)} error lines in the bot's log, the first: {errors[0][:300]}")
    if bot.returncode not in (0, -15):
        problems.append(f"the bot exited with {bot.returncode}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} ms"


def _mb(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000, help="officials seeded, all recipients")
    parser.add_argument(
        "--rate", type=int, default=30, help="messages/s: the fake's limit and TELEGRAM_RATE_LIMIT"
    )
    parser.add_argument("--acks", type=int, default=5000, help="recipients pressing “Received” (5000)")
    parser.add_argument(
        "--database-url", help="postgresql://…@127.0.0.1/<new database>: created, then dropped"
    )
    parser.add_argument(
        "--startup-timeout", type=float, default=120.0, help="seconds to the bot's first answer"
    )
    args = parser.parse_args(argv)
    if not 0 < args.rate <= 1000 or args.recipients < 2 or not 0 <= args.acks < args.recipients:
        parser.error("need 1 <= --rate <= 1000, --recipients >= 2 and --acks below --recipients")
    engine = "postgresql" if args.database_url else "sqlite"
    print(
        f"bench.broadcast: {args.recipients} recipients with a document at {args.rate}/s, {args.acks} "
        f"acknowledgements, {engine}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="ckb-bench-broadcast-") as tmp:
        return asyncio.run(bench(args, Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
