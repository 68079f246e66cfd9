"""The web pages under load: 20 signed-in users at once on a head's dashboard, the admin's whole-office
dashboard and the self-check form, on a seeded office of 50 000 officials in 2 000 units.

    .venv/bin/python -m bench.web [--database sqlite|postgresql] [--seconds 60] [--users 20]

The pages run in a server process of their own (bench/web_server.py: uvicorn, one worker); this process
seeds the office (in a child), signs the users in through one-time links as people do, then for each
scenario keeps `--users` clients busy for `--seconds` and prints requests/s, the server's time per request
(its Server-Timing header: p50 and p99), the time seen by the client, errors, and the server's peak RSS.
Targets (issue 14): head's page p99 < 300 ms, whole office p99 < 1.5 s, no errors, < 400 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

import httpx
from sqlalchemy import update

from bench.dispatch import fresh_database
from bench.report_seed import seed_apart
from bench.web_selfcheck import open_self_check_now, self_check_form
from compliance.office.web_access import issue_link
from compliance.reports.period import PeriodKind, period_of
from storage.clock import local_today
from storage.engine import Database
from storage.migrate import upgrade
from storage.models import Official, Role

ADMIN_ID = 1  # the root unit's head in the seeded office, made an admin here
HEAD_ID = 2  # the head of "Sở số 1": its unit and the ~50 units below it
TARGETS_MS = {"head's dashboard": 300.0, "whole office (admin)": 1500.0}
TARGET_RSS_MB = 400.0
TIMING = re.compile(r"app;dur=([0-9.]+)")


@dataclass
class Scenario:
    name: str
    method: str
    path: str
    clients: list[httpx.AsyncClient]
    forms: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    cold_ms: float | None = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def peak_rss_of(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def prepare(url: str, users: int) -> dict[str, list[str]]:
    """Roles for the scenarios and one one-time link token per simulated user."""
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            await session.execute(update(Official).where(Official.id == ADMIN_ID).values(role=Role.ADMIN))
            # Officials of the second-level units' staff who joined (ids past the heads, not every 100th's
            # first eleven: those never joined, blocked the bot or left).
            members = [i + 1 for i in range(2_000, 2_000 + users * 3) if (i % 100) >= 11][:users]
            await open_self_check_now(session, members)
            tokens: dict[str, list[str]] = {"head": [], "admin": [], "official": []}
            for _ in range(users):
                tokens["head"].append(await issue_link(session, official_id=HEAD_ID, issued_by="bench"))
                tokens["admin"].append(await issue_link(session, official_id=ADMIN_ID, issued_by="bench"))
            for member in members:
                tokens["official"].append(await issue_link(session, official_id=member, issued_by="bench"))
        return tokens
    finally:
        await database.dispose()


async def signed_in_clients(base: str, tokens: list[str]) -> list[httpx.AsyncClient]:
    clients = []
    for token in tokens:
        client = httpx.AsyncClient(base_url=base, timeout=60)
        await client.get(f"/signin/{token}")
        answer = await client.post("/signin")
        if answer.status_code != 303:
            raise SystemExit(f"could not sign in: {answer.status_code} {answer.text[:200]}")
        clients.append(client)
    return clients


async def run_scenario(scenario: Scenario, seconds: float) -> None:
    deadline = time.perf_counter() + seconds

    async def worker(index: int, client: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                if scenario.method == "GET":
                    answer = await client.get(scenario.path)
                else:
                    action, fields = scenario.forms[index]
                    answer = await client.post(action, data=fields)
            except httpx.HTTPError as exc:
                scenario.errors.append(type(exc).__name__)
                continue
            scenario.client_ms.append((time.perf_counter() - started) * 1000)
            if answer.status_code not in (200, 303):
                scenario.errors.append(f"{answer.status_code}")
            timing = TIMING.search(answer.headers.get("server-timing", ""))
            if timing:
                scenario.server_ms.append(float(timing.group(1)))

    started = time.perf_counter()
    await asyncio.gather(*(worker(i, c) for i, c in enumerate(scenario.clients)))
    scenario.elapsed = time.perf_counter() - started


def report(scenarios: list[Scenario], rss_mb: float, users: int) -> None:
    print(f"\n{users} concurrent users per scenario")
    print(
        f"{'scenario':<24}{'requests':>9}{'req/s':>8}{'server p50':>12}{'server p99':>12}"
        f"{'client p50':>12}{'client p99':>12}{'errors':>8}"
    )
    for s in scenarios:
        print(
            f"{s.name:<24}{len(s.client_ms):>9}{len(s.client_ms) / s.elapsed:>8.1f}"
            f"{percentile(s.server_ms, 0.5):>10.1f}ms{percentile(s.server_ms, 0.99):>10.1f}ms"
            f"{percentile(s.client_ms, 0.5):>10.1f}ms{percentile(s.client_ms, 0.99):>10.1f}ms"
            f"{len(s.errors):>8}"
        )
    for s in scenarios:
        if s.cold_ms is not None:
            print(f"{s.name}: first view (figures built) {s.cold_ms:.0f} ms")
    print(f"server peak RSS {rss_mb:.0f} MB (target < {TARGET_RSS_MB:.0f} MB)")
    for s in scenarios:
        target = TARGETS_MS.get(s.name)
        if target is not None:
            p99 = percentile(s.server_ms, 0.99)
            verdict = "met" if p99 < target and not s.errors else "NOT met"
            print(f"target {s.name}: server p99 {p99:.0f} ms < {target:.0f} ms, 0 errors: {verdict}")
        if s.errors:
            print(f"  {s.name} errors (first 5): {s.errors[:5]}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


async def measure(url: str, args: argparse.Namespace) -> None:
    tokens = await prepare(url, args.users)
    port = free_port()
    server = subprocess.Popen(  # noqa: ASYNC220 - started once, before anything is measured
        [sys.executable, "-m", "bench.web_server", url, str(port)]
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as probe:
            for _ in range(300):  # the server's start-up, polled: a benchmark is not a test
                try:
                    if (await probe.get("/signin")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        scenarios = [
            Scenario("head's dashboard", "GET", "/dashboard?period=week", []),
            Scenario("whole office (admin)", "GET", "/dashboard?period=week", []),
            Scenario("self-check submit", "POST", "/selfcheck", []),
        ]
        for scenario, who in zip(scenarios, ("head", "admin", "official"), strict=True):
            # Signed in just before their scenario: a connection idle longer than the server's keep-alive
            # (uvicorn: 5 s) is closed by it, and a client reusing it would count a spurious error.
            scenario.clients = await signed_in_clients(base, tokens[who])
            if scenario.method == "POST":
                scenario.forms = [await self_check_form(client) for client in scenario.clients]
            if scenario.method == "GET":
                # The first view builds the figures the next ones reuse (the page says when they were
                # computed): timed on its own, so the steady state is measured apart from the cold start.
                cold = await scenario.clients[0].get(scenario.path)
                timing = TIMING.search(cold.headers.get("server-timing", ""))
                scenario.cold_ms = float(timing.group(1)) if timing else float("nan")
            print(f"running {scenario.name} for {args.seconds:.0f} s …", flush=True)
            await run_scenario(scenario, args.seconds)
            for client in scenario.clients:
                await client.aclose()
        report(scenarios, peak_rss_of(server.pid), args.users)
    finally:
        server.terminate()
        server.wait(timeout=30)


async def run(args: argparse.Namespace) -> None:
    if args.url:
        await measure(args.url, args)
        return
    last_monday = period_of(PeriodKind.LAST_WEEK, local_today()).start
    url, drop = await fresh_database(args.database)
    try:
        await upgrade(url)
        took = await seed_apart(url, args.officials, args.units, args.weeks, last_monday)
        print(f"seeded in {took:.1f} s", flush=True)
        await measure(url, args)
    finally:
        if args.keep:
            print(f"kept: measure again with --url {url}")
        elif drop is not None:
            await drop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--officials", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the seeded database and print its URL")
    parser.add_argument("--url", help="measure an already seeded database (from --keep)")
    args = parser.parse_args()
    if args.units < 42:
        parser.error("need --units >= 42: the head's subtree is a second-level unit with its children")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
