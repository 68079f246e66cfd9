"""Scale-out on PostgreSQL: one and two replicas in webhook mode, 50 000 officials.

    python -m bench.scale                                # 50 000 officials, 1 then 2 processes
    python -m bench.scale --officials 5000 --updates 1000 --messages 3000    # a quick run

A dedicated database is created on BENCH_DATABASE_URL's server (default postgresql://postgres@127.0.0.1:5432/)
and dropped at the end; the officials are seeded with bulk INSERTs. For each replica count, the real
`python -m bot run` processes serve WEBHOOK_URL on their own ports, as behind a reverse proxy, and send
through one fake Bot API server (tests/fakes/botapi.py, a process) that enforces Telegram's limits at
--limit messages/s and one message a second per chat. Each replica gets TELEGRAM_RATE_LIMIT = limit / N:
Telegram's limit is per bot, not per process. Two phases, one after the other:

- updates: --updates /me updates from --users officials, POSTed round-robin to the replicas with the
  secret header, --concurrency at a time; updates/s from the first POST to the last reply, latency from
  each POST to its reply (both clocks are CLOCK_MONOTONIC, shared by the processes on Linux).
- dispatch: --messages outbox rows (one per official, so the per-chat gap does not bind) inserted at once;
  msgs/s from the insertion to the last send, against the limit; 429s and duplicates counted.

Database connections: the peak count of pg_stat_activity rows for the bench database, sampled every
100 ms. Bounded: every wait has a timeout; the script prints figures and checks nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from bench.bot_process import (
    SCRUBBED_ENV,
    TOKEN,
    fresh_database,
    me_update,
    percentile,
    seed_officials,
    user_id_of,
)
from bench.scale_processes import ConnectionSampler, Replica, fake_api
from storage.clock import utcnow
from storage.engine import Database
from storage.models import OutboxMessage

SECRET = "bench-scale-secret"


@dataclass
class Phase:
    count: int = 0
    seconds: float | None = None
    rate: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    too_many: int = 0
    duplicates: int = 0
    missing: int = 0
    peak_connections: int = 0


@dataclass
class Run:
    processes: int
    updates: Phase = field(default_factory=Phase)
    dispatch: Phase = field(default_factory=Phase)
    problems: list[str] = field(default_factory=list)
    idle_connections: int = 0


async def get_json(client: aiohttp.ClientSession, url: str) -> Any:
    async with client.get(url) as response:
        response.raise_for_status()
        return await response.json()


async def wait_for_sends(
    client: aiohttp.ClientSession, api: str, count: int, within: float
) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        stats: dict[str, Any] = await get_json(client, f"{api}/_test/stats")
        if stats["sends"] >= count or time.monotonic() >= deadline:
            return stats
        await asyncio.sleep(0.2)


async def offer_updates(
    client: aiohttp.ClientSession,
    replicas: list[Replica],
    user_ids: list[int],
    total: int,
    concurrency: int,
    first_id: int,
) -> dict[int, deque[float]]:
    """POST `total` /me updates round-robin over the replicas; the POST times per chat, in order."""
    posted: dict[int, deque[float]] = defaultdict(deque)
    queue: asyncio.Queue[tuple[int, dict[str, Any]]] = asyncio.Queue()
    for n in range(total):
        user = user_ids[n % len(user_ids)]
        queue.put_nowait((n, {"update_id": first_id + n, **me_update(user, 10 + n)}))

    async def worker() -> None:
        while not queue.empty():
            n, update = queue.get_nowait()
            chat = update["message"]["chat"]["id"]
            posted[chat].append(time.perf_counter())
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with client.post(replicas[n % len(replicas)].url, json=update, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"webhook answered {response.status}")

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return posted


async def updates_phase(
    client: aiohttp.ClientSession, api: str, replicas: list[Replica], args: argparse.Namespace, run: Run
) -> None:
    user_ids = [user_id_of(i * (args.officials // args.users)) for i in range(args.users)]
    started = time.perf_counter()
    # Update ids new to the database: it remembers those of the earlier run and would skip them.
    first_id = 10_000_000 * run.processes
    posted = await offer_updates(client, replicas, user_ids, args.updates, args.concurrency, first_id)
    stats = await wait_for_sends(client, api, args.updates, args.timeout)
    times: list[list[float]] = await get_json(client, f"{api}/_test/send_times")
    latencies = []
    for chat, at in times:
        queue = posted.get(int(chat))
        if queue:
            latencies.append((at - queue.popleft()) * 1000)
    phase = run.updates
    phase.count = int(stats["sends"])
    phase.missing = max(0, args.updates - phase.count)
    phase.duplicates = max(0, phase.count - args.updates)
    if stats["last_send"] is not None:
        phase.seconds = float(stats["last_send"]) - started
        phase.rate = phase.count / phase.seconds
    phase.p50_ms, phase.p99_ms = percentile(latencies, 50), percentile(latencies, 99)
    phase.too_many = int(stats["too_many_requests"])


async def dispatch_phase(
    client: aiohttp.ClientSession, api: str, url: str, args: argparse.Namespace, run: Run
) -> None:
    database = Database(url)
    now = utcnow()
    rows = [
        {
            "dedupe_key": f"scale:{run.processes}:{n}",
            "kind": "join_rejected",
            "chat_id": user_id_of(n),
            "payload": {"unit_name": "Văn phòng", "locale": "vi"},
            "status": "pending",
            "not_before": now,
            "attempts": 0,
            "created_at": now,
        }
        for n in range(args.messages)
    ]
    try:
        started = time.perf_counter()
        async with database.unit_of_work() as session:
            for start in range(0, len(rows), 5000):
                await session.execute(insert(OutboxMessage), rows[start : start + 5000])
    finally:
        await database.dispose()
    stats = await wait_for_sends(client, api, args.messages, args.timeout)
    phase = run.dispatch
    received = Counter({int(k): v for k, v in stats["per_chat"].items()})
    phase.count = int(stats["sends"])
    phase.duplicates = sum(v - 1 for v in received.values() if v > 1)
    phase.missing = args.messages - len(received)
    phase.too_many = int(stats["too_many_requests"])
    if stats["last_send"] is not None:
        phase.seconds = float(stats["last_send"]) - started
        phase.rate = phase.count / phase.seconds


async def run_replicas(processes: int, url: str, args: argparse.Namespace, directory: Path) -> Run:
    run = Run(processes)
    server = make_url(url)
    admin_dsn = server.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env.update(
        BOT_TOKEN=TOKEN,
        DATABASE_URL=url,
        LOG_LEVEL="INFO",  # the replica says when its health endpoint is up
        PYTHONUNBUFFERED="1",
        WEBHOOK_URL="https://bot.example.vn/telegram",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1",
        TELEGRAM_RATE_LIMIT=str(max(1, args.limit // processes)),
    )
    with (directory / f"fake-api-{processes}.log").open("wb") as api_log:
        async with fake_api(args.limit, args.officials, api_log) as api:
            env["TELEGRAM_API_URL"] = api
            logs = [(directory / f"bot-{processes}-{n}.log").open("wb") for n in range(processes)]
            replicas = [Replica(env, log) for log in logs]
            try:
                for replica in replicas:  # one at a time: each migrates (a no-op) before serving
                    await replica.start()
                    await asyncio.wait_for(replica.ready.wait(), args.startup_timeout)
                async with (
                    ConnectionSampler(admin_dsn, server.database or "") as sampler,
                    aiohttp.ClientSession() as client,
                ):
                    run.idle_connections = await sampler.now() - 1  # less the sampler's own
                    # warm-up: one reply from each replica, then counters from zero
                    for n, replica in enumerate(replicas):
                        warm = {"update_id": 10_000_000 * processes - 1 - n, **me_update(user_id_of(n), 1)}
                        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                        async with client.post(replica.url, json=warm, headers=headers) as response:
                            await response.read()
                    await wait_for_sends(client, api, processes, 60)
                    async with client.post(f"{api}/_test/reset_stats") as response:
                        response.raise_for_status()
                    sampler.reset()
                    await updates_phase(client, api, replicas, args, run)
                    run.updates.peak_connections = sampler.peak - 1
                    async with client.post(f"{api}/_test/reset_stats") as response:
                        response.raise_for_status()
                    sampler.reset()
                    await dispatch_phase(client, api, url, args, run)
                    run.dispatch.peak_connections = sampler.peak - 1
            finally:
                for replica in replicas:
                    await replica.stop()
                for log in logs:
                    log.close()
    for n, replica in enumerate(replicas):
        code = replica.process.returncode if replica.process else None
        text = (directory / f"bot-{processes}-{n}.log").read_text(errors="replace")
        errors = sum(1 for line in text.splitlines() if " ERROR " in line or line.startswith("Traceback"))
        if code not in (0, -15) or errors:
            run.problems.append(f"replica {n}: exit {code}, {errors} error lines")
            run.problems.extend(text.splitlines()[-15:])
    return run


def _f(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def print_runs(runs: list[Run], args: argparse.Namespace) -> None:
    print()
    print(
        f"{'replicas':>8} {'updates/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'conns':>6} | "
        f"{'msgs/s':>8} {'of limit':>8} {'429s':>5} {'dups':>5} {'lost':>5} {'conns':>6} | {'idle conns':>10}"
    )
    print("-" * 112)
    for r in runs:
        u, d = r.updates, r.dispatch
        fraction = f"{d.rate / args.limit:.0%}" if d.rate else "—"
        print(
            f"{r.processes:>8} {_f(u.rate):>10} {_f(u.p50_ms):>8} {_f(u.p99_ms):>8} "
            f"{u.peak_connections:>6} | "
            f"{_f(d.rate):>8} {fraction:>8} {d.too_many:>5} {d.duplicates:>5} {d.missing:>5} "
            f"{d.peak_connections:>6} | {r.idle_connections:>10}"
        )
        if u.missing or u.duplicates:
            print(f"         updates: {u.missing} without a reply, {u.duplicates} replies too many")
    print()
    print(
        "conns: peak PostgreSQL connections to the bench database during the phase (all replicas); "
        "idle conns: after start-up, before the load."
    )
    print(
        f"CPU: {os.cpu_count()} cores, shared by the replicas, PostgreSQL, the fake Bot API server and this "
        "load generator (and whatever else runs on the machine): the figures are a floor, not a ceiling."
    )
    for r in runs:
        if r.problems:
            print(f"\nproblems with {r.processes} replica(s):")
            for line in r.problems:
                print("  " + line)


async def bench(args: argparse.Namespace) -> list[Run]:
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="ckb-scale-") as tmp:
        directory = Path(tmp)
        async with fresh_database("postgresql", directory) as url:
            started = time.perf_counter()
            await seed_officials(url, args.officials)
            print(f"seeded {args.officials} officials in {time.perf_counter() - started:.1f} s", flush=True)
            for processes in args.replicas:
                print(f"running {processes} replica(s)…", flush=True)
                runs.append(await run_replicas(processes, url, args, directory))
        print_runs(runs, args)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--officials", type=int, default=50_000)
    parser.add_argument("--updates", type=int, default=5000, help="/me updates per run (5000)")
    parser.add_argument("--users", type=int, default=2500, help="officials sending them (2500)")
    parser.add_argument("--concurrency", type=int, default=64, help="POSTs in flight at once (64)")
    parser.add_argument("--messages", type=int, default=20_000, help="outbox rows per run (20000)")
    parser.add_argument("--limit", type=int, default=1000, help="Telegram's overall messages/s (1000)")
    parser.add_argument("--replicas", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2])
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for each phase")
    parser.add_argument("--startup-timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    if not 0 < args.users <= args.officials or args.messages > args.officials:
        raise SystemExit("--users and --messages must be between 1 and --officials")
    os.environ.setdefault("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    print(
        f"bench.scale: {args.officials} officials on PostgreSQL; replicas {args.replicas}; "
        f"{args.updates} /me updates, {args.messages} outbox messages at a {args.limit}/s limit",
        flush=True,
    )
    runs = asyncio.run(bench(args))
    return 1 if any(r.problems for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
