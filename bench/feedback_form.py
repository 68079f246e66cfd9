"""Citizens rating desks under load: `--rate` ratings a second for `--seconds` from `--devices` simulated
phones, each on its own address, against one server process (bench/feedback_form_server.py, uvicorn, one
worker), with the form's default limits.

    .venv/bin/python -m bench.feedback_form [--database sqlite|postgresql] [--seconds 60] [--rate 100]

Each rating is what a phone does: GET /r/<code> (the form and its signed token), then POST it a little
over the 5 s minimum later. A device rates a different point each time (one rating per device, point and
day), so 1 000 devices at 100/s send about 6 a minute each, under the 10 per address; `--points` spreads
them so no point passes its 120 a minute. One more device, the "noisy" one, posts every second from one
address: its refusals (429) are the deliberate ones, counted apart. Printed: ratings sent, accepted,
refused on purpose, errors (anything else), the server's time (Server-Timing) and the client's, p50 and
p99, for the form and for the post, and the rows stored. Target (issue 16): no errors, p99 < 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import h11
import httpx
from sqlalchemy import func, select

from bench.dispatch import fresh_database, start_server
from bench.phone import Phone
from bench.web import free_port, percentile
from compliance.feedback.points import create_point
from storage.engine import Database
from storage.migrate import upgrade
from storage.models import Unit
from storage.models_feedback import CitizenRating

TARGET_MS = 200.0
TIMING = re.compile(r"app;dur=([0-9.]+)")
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
FILL_SECONDS = 5.3


@dataclass
class Tally:
    form_server: list[float] = field(default_factory=list)
    form_client: list[float] = field(default_factory=list)
    post_server: list[float] = field(default_factory=list)
    post_client: list[float] = field(default_factory=list)
    accepted: int = 0
    refused: int = 0  # the noisy device's 429s: deliberate
    errors: list[str] = field(default_factory=list)
    server_cpu: float = 0.0  # seconds of CPU the server process used during the load
    client_cpu: float = 0.0  # and this process, the phones: on the same two cores


async def seed(url: str, points: int) -> list[str]:
    """An office with `points` units, one reception point each; their codes."""
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            root = Unit(code="bench", name="UBND bench", name_key="ubnd bench", path="/", depth=0)
            session.add(root)
            await session.flush()
            root.path = f"/{root.id}/"
            codes = []
            for number in range(points):
                name = f"Bộ phận {number + 1}"
                unit = Unit(
                    code=f"bp-{number}",
                    name=name,
                    name_key=name.lower(),
                    parent_id=root.id,
                    path="/",
                    depth=1,
                )
                session.add(unit)
                await session.flush()
                unit.path = f"{root.path}{unit.id}/"
                codes.append((await create_point(session, unit=unit, desk=None, actor=None)).code)
            return codes
    finally:
        await database.dispose()


def _ms(headers: dict[str, str]) -> float:
    found = TIMING.search(headers.get("server-timing", ""))
    return float(found.group(1)) if found else float("nan")


FIELDS = {"overall": "5", "trips": "1", "attitude": "4", "asked_beyond_rules": "no", "website": ""}


class Phones:
    """One phone per simulated device (bench/phone.py): its own connections and cookies, so the once-a-day
    cookie is sent as a phone would."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.phones: dict[str, Phone] = {}

    def of(self, address: str, *, keeps_cookies: bool = True) -> Phone:
        phone = self.phones.get(address)
        if phone is None:
            # A script posting again and again keeps no cookie (the once-a-day one would stop it before the
            # rate limit, which is what it is there to meet).
            phone = self.phones[address] = Phone(self.port, address, keeps_cookies=keeps_cookies)
        return phone


async def rate(phone: Phone, code: str, tally: Tally, *, noisy: bool) -> None:
    try:
        started = time.perf_counter()
        form = await phone.get(f"/r/{code}")
        if form.status != 200 or (token := TOKEN.search(form.text)) is None:
            tally.errors.append(f"form {form.status}")
            return
        if not noisy:
            tally.form_client.append((time.perf_counter() - started) * 1000)
            tally.form_server.append(_ms(form.headers))
        await asyncio.sleep(FILL_SECONDS)
        started = time.perf_counter()
        sent = await phone.post(f"/r/{code}", {**FIELDS, "form_token": token.group(1)})
        took = (time.perf_counter() - started) * 1000
    except (OSError, TimeoutError, h11.ProtocolError) as exc:
        tally.errors.append(type(exc).__name__)
        return
    if sent.status == 303:
        tally.accepted += 1
    elif sent.status == 429 and noisy:
        tally.refused += 1
        return
    else:
        tally.errors.append(f"post {sent.status}")
        return
    if not noisy:
        tally.post_client.append(took)
        tally.post_server.append(_ms(sent.headers))


async def load(port: int, codes: list[str], args: argparse.Namespace) -> tuple[Tally, float]:
    tally = Tally()
    phones = Phones(port)
    tasks: list[asyncio.Task[None]] = []
    started = time.perf_counter()
    total = int(args.rate * args.seconds)
    for number in range(total):
        due = started + number / args.rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        device = number % args.devices
        # Device d's k-th rating goes to point (d + 7k) mod points: never the same point twice a day.
        code = codes[(device + (number // args.devices) * 7) % len(codes)]
        address = f"10.{device // 65536}.{device // 256 % 256}.{device % 256}"
        tasks.append(asyncio.create_task(rate(phones.of(address), code, tally, noisy=False)))
        if number % max(int(args.rate), 1) == 0:  # the noisy phone: once a second, one address
            noisy = phones.of("192.0.2.1", keeps_cookies=False)
            tasks.append(asyncio.create_task(rate(noisy, codes[0], tally, noisy=True)))
    await asyncio.gather(*tasks)
    return tally, time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc; its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(tally: Tally, elapsed: float, stored: int, args: argparse.Namespace) -> None:
    print(f"{args.database}: {args.rate:.0f} ratings/s for {args.seconds:.0f} s from {args.devices} devices "
          f"on {args.points} points, in {elapsed:.1f} s")  # fmt: skip
    print(f"  accepted {tally.accepted}, refused on purpose (the noisy device's 429) {tally.refused}, "
          f"errors {len(tally.errors)} {sorted(set(tally.errors))[:5]}; rows stored {stored}")  # fmt: skip
    for name, server, client in (
        ("form GET ", tally.form_server, tally.form_client),
        ("rating POST", tally.post_server, tally.post_client),
    ):
        s50, s99, c50, c99 = (percentile(v, q) for v in (server, client) for q in (0.5, 0.99))
        print(f"  {name}: server p50 {s50:.1f} ms, p99 {s99:.1f} ms; "
              f"client p50 {c50:.1f} ms, p99 {c99:.1f} ms (target p99 < {TARGET_MS:.0f} ms)")  # fmt: skip
    requests = len(tally.form_client) + len(tally.post_client)
    print(f"  server CPU {tally.server_cpu:.1f} s for {requests} requests: "
          f"{tally.server_cpu / max(requests, 1) * 1000:.2f} ms each, "
          f"{tally.server_cpu / elapsed:.0%} of a core; "
          f"the phones' CPU {tally.client_cpu:.1f} s, "
          f"{tally.client_cpu / elapsed:.0%} of a core")  # fmt: skip


async def run(args: argparse.Namespace) -> None:
    url, drop = await fresh_database(args.database)
    server = None
    try:
        await upgrade(url)
        codes = await seed(url, args.points)
        port = free_port()
        server = start_server(["bench.feedback_form_server", url, str(port)])
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base) as probe:
            for _ in range(100):
                try:
                    if (await probe.get(f"/r/{codes[0]}")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
        cpu_before, own_before = cpu_seconds(server.pid), time.process_time()
        tally, elapsed = await load(port, codes, args)
        tally.server_cpu = cpu_seconds(server.pid) - cpu_before
        tally.client_cpu = time.process_time() - own_before
        database = Database(url)
        try:
            async with database.unit_of_work() as session:
                stored = int(await session.scalar(select(func.count()).select_from(CitizenRating)) or 0)
        finally:
            await database.dispose()
        report(tally, elapsed, stored, args)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        if drop is not None:
            await drop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--points", type=int, default=100)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
