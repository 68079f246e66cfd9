"""Throughput and latency of Cam Kết Bot under load, against a bare python-telegram-bot echo bot.

    python -m bench.updates                          # SQLite, 5 000 /me from 1 000 of 10 000 officials
    python -m bench.updates --database postgresql    # BENCH_DATABASE_URL, a fresh database dropped after
    python -m bench.updates --updates 500 --users 100 --officials 1000   # a quick run

Each bot runs as its own process (the real `python -m bot run`, then `python -m bench.echo_bot`) against
its own fake Bot API server (tests/fakes/botapi.py, also a process), so the figures include the real
polling, parsing, database work and HTTP round trips. The script prints figures and checks nothing.

How the load is offered: by default as a burst, "all at once in batches". After a warm-up, the updates
are injected in batches of --batch (100) as fast as the fake server takes them, without waiting for
replies, which is the way to measure the most a bot can do (updates/s): the bot always has a full
getUpdates page waiting. The price is that the latencies then include the time an update waits in that
backlog, so with a burst p50/p99 say how long the backlog took to drain, not how long one update takes.
For latencies of a bot that keeps up, offer a steady rate below its throughput with --rate R (updates/s,
open loop: one update per POST unless --batch says otherwise, each sent on schedule whatever the bot
does); updates/s then only echoes R back, unless the bot falls behind.

Clocks: the fake server stamps sends with time.perf_counter() in its own process; on Linux that is
CLOCK_MONOTONIC, shared by every process, so it is compared directly with this script's perf_counter().
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.bot_process import (
    MAX_RATE_LIMIT,
    NO_LIMIT,
    PYTHON,
    ROOT,
    SCRUBBED_ENV,
    TOKEN,
    fake_bot_api,
    fresh_database,
    load_updates,
    me_update,
    peak_rss_mb,
    percentile,
    seed_officials,
    stop_process,
    user_id_of,
)
from bench.dispatch import free_port

HANDLED = re.compile(r"bot\.updates: update \d+ user \S+ handler \S+ ([\d.]+) ms")


@dataclass
class Result:
    bot: str
    database: str
    offered: int
    replies: int = 0
    updates_per_s: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    peak_rss_mb: float | None = None
    exit_code: int | None = None
    problems: list[str] = field(default_factory=list)
    stderr_tail: list[str] = field(default_factory=list)
    stderr_errors: int = 0
    stderr_warnings: int = 0
    stderr_lines: int = 0
    # from the bot's own one-line-per-update log: the time each update spent in its handlers
    handle_p50_ms: float | None = None
    handle_p99_ms: float | None = None


async def stats(client: aiohttp.ClientSession) -> dict[str, Any]:
    async with client.get("/_test/stats") as response:
        response.raise_for_status()
        body: dict[str, Any] = await response.json()
        return body


async def inject(client: aiohttp.ClientSession, updates: list[dict[str, Any]]) -> None:
    async with client.post("/_test/updates", json=updates) as response:
        response.raise_for_status()
        await response.read()


async def wait_for_sends(
    client: aiohttp.ClientSession, process: asyncio.subprocess.Process, count: int, within: float
) -> dict[str, Any]:
    """Poll the stats until `count` sends, `within` seconds, or the bot's exit; the last stats either way."""
    deadline = time.monotonic() + within
    while True:
        current = await stats(client)
        if current["sends"] >= count or time.monotonic() >= deadline or process.returncode is not None:
            return current
        await asyncio.sleep(0.2)


async def run_bot(
    name: str,
    command: list[str],
    *,
    database_label: str,
    env: dict[str, str],
    user_ids: list[int],
    args: argparse.Namespace,
    directory: Path,
) -> Result:
    result = Result(bot=name, database=database_label, offered=args.updates)
    server_log_path = directory / f"{name}-fake-api.log"
    bot_log_path = directory / f"{name}-stderr.log"
    with server_log_path.open("wb") as server_log, bot_log_path.open("wb") as bot_log:
        async with fake_bot_api(server_log) as api:
            process = await asyncio.create_subprocess_exec(
                *command,
                cwd=ROOT,
                env={**env, "TELEGRAM_API_URL": api, "PORT": str(free_port())},
                stdin=asyncio.subprocess.DEVNULL,
                stdout=bot_log,
                stderr=bot_log,
            )
            try:
                async with aiohttp.ClientSession(base_url=api) as client:
                    await load(client, process, result, user_ids, args)
                    result.peak_rss_mb = peak_rss_mb(process.pid)
            finally:
                await stop_process(process)
                result.exit_code = process.returncode
    if args.logs is not None:  # kept for a look after the run; the temporary directory is removed
        args.logs.mkdir(parents=True, exist_ok=True)
        for path in (server_log_path, bot_log_path):
            shutil.copyfile(path, args.logs / f"{database_label}-{path.name}")
    lines = bot_log_path.read_text(errors="replace").splitlines()
    handled = [float(m.group(1)) for m in map(HANDLED.search, lines) if m]
    if len(handled) > 1:  # the first is the warm-up
        result.handle_p50_ms = percentile(handled[1:], 50)
        result.handle_p99_ms = percentile(handled[1:], 99)
    result.stderr_tail = lines[-30:]
    result.stderr_lines = len(lines)
    result.stderr_warnings = sum(1 for line in lines if " WARNING " in line)
    result.stderr_errors = sum(1 for line in lines if " ERROR " in line or line.startswith("Traceback"))
    if result.stderr_errors:
        result.problems.append(f"{result.stderr_errors} error lines in the bot's stderr")
    if result.exit_code not in (0, -signal.SIGTERM):
        result.problems.append(f"the bot exited with {result.exit_code}")
    return result


async def load(
    client: aiohttp.ClientSession,
    process: asyncio.subprocess.Process,
    result: Result,
    user_ids: list[int],
    args: argparse.Namespace,
) -> None:
    # Warm-up: one /me, answered once the bot has started, migrated, and is polling.
    await inject(client, [me_update(user_ids[0], 1)])
    warm = await wait_for_sends(client, process, 1, args.startup_timeout)
    if warm["sends"] < 1:
        result.problems.append("no reply to the warm-up /me (bot not polling, or it did not answer)")
        return
    async with client.post("/_test/reset_stats") as response:
        response.raise_for_status()

    updates = load_updates(user_ids, args.updates)
    batches = [updates[i : i + args.batch] for i in range(0, len(updates), args.batch)]
    first_injection = time.perf_counter()
    for index, batch in enumerate(batches):
        if args.rate > 0:  # open loop: batch i leaves at i * batch / rate, whatever the bot does
            delay = first_injection + index * args.batch / args.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        await inject(client, batch)
    injected = time.perf_counter() - first_injection

    final = await wait_for_sends(client, process, len(updates), args.timeout)
    result.replies = int(final["sends"])
    if final["last_send"] is not None and result.replies:
        result.updates_per_s = result.replies / (float(final["last_send"]) - first_injection)
    latencies = [float(x) for x in final["latencies_ms"]]
    result.p50_ms = percentile(latencies, 50)
    result.p99_ms = percentile(latencies, 99)
    if result.replies < len(updates):
        result.problems.append(f"only {result.replies} of {len(updates)} replies")
    elif result.replies > len(updates):
        result.problems.append(f"{result.replies} sends for {len(updates)} updates")
    print(
        f"  {result.bot}: injected {len(updates)} updates in {injected:.2f} s, {result.replies} replies",
        flush=True,
    )


# ---- report --------------------------------------------------------------------------------------------
def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def print_table(results: list[Result]) -> None:
    header = (
        f"{'bot':<14} {'database':<11} {'updates/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'handle p50':>10} "
        f"{'handle p99':>10} {'peak RSS MB':>12} "
    )
    header += f"{'replies':>13}"
    print()
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.bot:<14} {r.database:<11} {_fmt(r.updates_per_s):>10} {_fmt(r.p50_ms):>9} "
            f"{_fmt(r.p99_ms):>9} {_fmt(r.handle_p50_ms):>10} {_fmt(r.handle_p99_ms):>10} "
            f"{_fmt(r.peak_rss_mb):>12} {f'{r.replies}/{r.offered}':>13}"
        )
    echo = results[-1]
    print()
    for camket in results[:-1]:
        ratio = (
            camket.updates_per_s / echo.updates_per_s
            if camket.updates_per_s is not None and echo.updates_per_s
            else None
        )
        print(f"{f'ratio {camket.bot}/echo updates/s:':<40} {_fmt(ratio, 2):>9}    (target ≥ 0.5)")
        print(
            f"{f'{camket.bot} p99 reply / handling:':<40} {_fmt(camket.p99_ms):>9} / "
            f"{_fmt(camket.handle_p99_ms)} ms (target < 100 ms)"
        )


def print_problems(results: list[Result]) -> None:
    print()
    for r in results:
        print(
            f"{r.bot} stderr: {r.stderr_lines} lines, {r.stderr_warnings} warnings, {r.stderr_errors} errors;"
            f" exit code {r.exit_code}"
        )
    for r in results:
        if not r.problems:
            continue
        print()
        print(f"{r.bot}: " + "; ".join(r.problems))
        print(f"---- last {len(r.stderr_tail)} lines of {r.bot}'s stderr ----")
        for line in r.stderr_tail:
            print(line)


# ---- main ----------------------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.updates", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--updates", type=int, default=5000, help="/me updates to send (5000)")
    parser.add_argument("--users", type=int, default=1000, help="distinct users sending them (1000)")
    parser.add_argument("--officials", type=int, default=10_000, help="officials seeded (10000)")
    parser.add_argument(
        "--batch", type=int, help="updates per injection (100 all at once; 1 with --rate, a steady stream)"
    )
    parser.add_argument(
        "--rate", type=float, default=0.0, help="steady updates/s, open loop (default: all at once)"
    )
    parser.add_argument(
        "--no-rate-limiter",
        action="store_true",
        help=f"also run the bot with TELEGRAM_RATE_LIMIT={MAX_RATE_LIMIT} (diagnostic: its own cost "
        "beyond Telegram's 30 messages/s)",
    )
    parser.add_argument("--logs", type=Path, help="copy the bots' and fake servers' stderr into this folder")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the replies")
    parser.add_argument("--startup-timeout", type=float, default=60.0, help="seconds to the warm-up reply")
    return parser


async def bench(args: argparse.Namespace) -> list[Result]:
    if not 0 < args.users <= args.officials:
        raise SystemExit("--users must be between 1 and --officials")
    user_ids = [user_id_of(i) for i in sorted(random.Random(42).sample(range(args.officials), args.users))]
    with tempfile.TemporaryDirectory(prefix="ckb-bench-") as tmp:
        directory = Path(tmp)
        async with fresh_database(args.database, directory) as url:
            started = time.perf_counter()
            await seed_officials(url, args.officials)
            print(f"seeded {args.officials} officials in {time.perf_counter() - started:.1f} s", flush=True)
            env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
            # INFO: the bot logs one line per update with its handling time (read back for handle p50/p99)
            env.update(BOT_TOKEN=TOKEN, DATABASE_URL=url, LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
            common: dict[str, Any] = {"env": env, "user_ids": user_ids, "args": args, "directory": directory}
            camket = [PYTHON, "-m", "bot", "run"]
            results = [await run_bot("camket", camket, database_label=args.database, **common)]
            if args.no_rate_limiter:  # diagnostic: the same bot without Telegram's 30 messages/s ceiling
                unlimited = {**env, "TELEGRAM_RATE_LIMIT": str(MAX_RATE_LIMIT)}
                results.append(
                    await run_bot(
                        NO_LIMIT, camket, database_label=args.database, **{**common, "env": unlimited}
                    )
                )
            echo = [PYTHON, "-m", "bench.echo_bot"]
            results.append(await run_bot("echo", echo, database_label="none", **common))
        print_table(results)
        print_problems(results)  # while the logs still exist
    return results


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.batch is None:
        args.batch = 1 if args.rate > 0 else 100
    mode = f"at {args.rate:g} updates/s" if args.rate > 0 else "all at once"
    print(
        f"bench.updates: {args.updates} /me from {args.users} users of {args.officials} officials, "
        f"{args.database}, batches of {args.batch} {mode}",
        flush=True,
    )
    results = asyncio.run(bench(args))
    return 1 if any(r.problems for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
