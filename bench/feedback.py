"""Citizens' satisfaction figures at a province's size (issue 16): `--units` units (2 000: a province's
Sở-level units and their sections) with a reception point each and `--ratings` ratings over the last
year (1 000 000, bulk inserted: COPY on PostgreSQL), a few per cent flagged, half of those followed up,
some set aside as spam; then, timed, what a head's and the admin's reports read for the year:

- the dashboard's satisfaction page (handlers.web.dashboard.satisfaction_data: the subtree's and its units'
  figures, the trend by month), for the admin (the whole office) and for a Sở's head (its subtree);
- the chat's /report, the Excel's sheet and the weekly summary's figures (every unit of the report at once:
  compliance.reports.satisfaction_report.units_satisfaction);
- the flagged ratings' list and the comments of the page.

    .venv/bin/python -m bench.feedback [--database sqlite|postgresql|both] [--units 2000]
        [--ratings 1000000] [--repeat 3] [--load-seconds 0]

Target (issue 16): each report < 2 s. The form under load (100 ratings a second for 60 s from 1 000
devices against one uvicorn process, errors and deliberate refusals counted apart, p50/p99) is
bench/feedback_form.py (the form's own bench); `--load-seconds N` runs it here too, for N seconds, on the
same engines, and prints its figures.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from bench.dispatch import fresh_database
from bench.report_seed import Writer, unit_rows
from compliance.feedback import followup
from compliance.reports import satisfaction as figures
from compliance.reports.period import Period
from compliance.reports.rollup import Figures, UnitLine
from compliance.reports.satisfaction_days import catch_up, rebuild
from compliance.reports.satisfaction_lists import comments
from compliance.reports.satisfaction_report import units_satisfaction
from handlers.web.dashboard import satisfaction_data
from storage.clock import LOCAL_TZ
from storage.engine import Database
from storage.migrate import upgrade
from storage.models import Official, OfficialStatus, Role, Unit
from storage.models_feedback import CitizenRating, RatingFollowUp, ReceptionPoint
from storage.models_feedback_rollup import RatingDay

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0
CHUNK = 20_000
Row = dict[str, Any]
# Of a hundred ratings, by overall level: most citizens are satisfied (as the provinces' SIPAS find).
LEVEL_WEIGHTS = (3, 3, 9, 40, 45)


def rating_rows(
    rng: random.Random, count: int, units: int, start: datetime, seconds: int
) -> Iterator[tuple[list[Row], list[Row]]]:
    """(ratings, follow-ups) in chunks; ids chosen here. Units are weighted so a few are busy one-stop
    desks and most are quiet, as a province's are."""
    weights = [1.0 / (1 + (unit % 97)) for unit in range(1, units + 1)]
    rating_id = 0
    while rating_id < count:
        size = min(CHUNK, count - rating_id)
        unit_ids = rng.choices(range(1, units + 1), weights=weights, k=size)
        levels = rng.choices(range(1, 6), weights=LEVEL_WEIGHTS, k=size)
        ratings: list[Row] = []
        follow_ups: list[Row] = []
        for unit_id, overall in zip(unit_ids, levels, strict=True):
            rating_id += 1
            at = start + timedelta(seconds=rng.randrange(seconds))
            attitude = min(5, max(1, overall + rng.choice((-1, 0, 0, 1))))
            asked = rng.random() < 0.01
            flagged = asked or overall <= 2 or attitude <= 2
            ratings.append(
                {
                    "id": rating_id,
                    "point_id": unit_id,
                    "unit_id": unit_id,
                    "created_at": at,
                    "overall": overall,
                    "attitude": attitude,
                    "trips": rng.choice((1, 1, 1, 2, 3)),
                    "papers_posted": rng.choice((True, True, False, None)),
                    "progress_lookup": rng.choice((True, False, None)),
                    "asked_beyond_rules": asked,
                    "comment": "Chờ lâu, cần hướng dẫn rõ hơn" if rng.random() < 0.1 else None,
                    "dossier_number": None,
                    "official_id": None,
                    "contact": None,
                    "contact_consent": False,
                    "locale": "vi",
                    "address_hash": f"{rating_id:064x}",
                    "flagged": flagged,
                    "set_aside_at": at if rng.random() < 0.005 else None,
                    "set_aside_by_id": None,
                    "set_aside_reason": None,
                }
            )
            if flagged and rng.random() < 0.5:
                follow_ups.append(
                    {
                        "rating_id": rating_id,
                        "contacted": True,
                        "resolved": rng.random() < 0.6,
                        "note": "Đã liên hệ",
                        "by_id": 1,
                        "created_at": at + timedelta(hours=2),
                    }
                )
        yield ratings, follow_ups


async def seed(url: str, units: int, count: int, start: datetime, end: datetime) -> None:
    database = Database(url)
    writer = Writer(database)
    began = time.perf_counter()
    now = datetime.now(UTC)
    try:
        points = [
            {"id": u, "unit_id": u, "desk": None, "code": f"P{u:06d}", "active": True, "created_at": now}
            for u in range(1, units + 1)
        ]
        await writer.write((Unit, unit_rows(units, now)), (ReceptionPoint, points))
        async with database.unit_of_work() as session:
            session.add(
                Official(
                    id=1,
                    full_name="Quản trị",
                    name_key="quản trị",
                    role=Role.ADMIN,
                    status=OfficialStatus.ACTIVE,
                )
            )
        rng = random.Random(16)
        seconds = int((end - start).total_seconds())
        for ratings, follow_ups in rating_rows(rng, count, units, start, seconds):
            await writer.write((CitizenRating, ratings), (RatingFollowUp, follow_ups))
        if database.dialect == "postgresql":
            async with database.unit_of_work() as session:
                await session.execute(
                    text("SELECT setval('citizen_ratings_id_seq', (SELECT max(id) FROM citizen_ratings))")
                )
        async with database.engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
            await connection.commit()
    finally:
        await database.dispose()
    print(
        f"  seeded {units} units, {writer.counts.get('citizen_ratings', 0)} ratings, "
        f"{writer.counts.get('rating_followups', 0)} follow-ups in {time.perf_counter() - began:.1f} s",
        flush=True,
    )


async def timed(repeat: int, label: str, step: Callable[[], Awaitable[object]]) -> float:
    """The step `repeat` times, each in its own transaction as a page's; prints the median and the best."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        await step()
        times.append(time.perf_counter() - began)
    median = statistics.median(times)
    mark = "ok" if median < TARGET_SECONDS else f"OVER {TARGET_SECONDS:.0f} s"
    print(f"  {label:<58} median {median * 1000:8.1f} ms  best {min(times) * 1000:8.1f} ms  {mark}")
    return median


async def roll_up(database: Database) -> None:
    """The daily roll-up made from nothing (as the first read after the upgrade makes it), then timed
    again: a rebuild, as an operator who doubts the sums runs it."""
    for label, step in (("first roll-up of the closed days", catch_up), ("rebuild of the roll-up", rebuild)):
        began = time.perf_counter()
        async with database.unit_of_work() as session:
            through = await step(session)
            rows = await session.scalar(select(func.count()).select_from(RatingDay))
        print(f"  {label}: {rows} point-days through {through} in {time.perf_counter() - began:.1f} s")


async def measure(url: str, repeat: int, year: Period) -> None:
    database = Database(url)
    start, end = figures.period_bounds(year)
    try:
        await roll_up(database)
        async with database.unit_of_work() as session:
            units = list((await session.scalars(select(Unit).order_by(Unit.id))).all())
        head_root = next(u for u in units if u.depth == 1)
        subtree = [u for u in units if u.path.startswith(head_root.path)]

        def lines_of(chosen: list[Unit]) -> list[UnitLine]:
            return [UnitLine(u.id, u.name, u.code, u.depth, Figures(), Figures()) for u in chosen]

        for who, root, chosen in (("admin", None, units), (f"head of {head_root.name}", head_root, subtree)):
            print(f" {who}: {len(chosen)} units")
            await timed(
                repeat, "dashboard page: figures, units below, trend by month", page_of(database, root, year)
            )
            await timed(
                repeat,
                "/report, Excel sheet, weekly: every unit's subtree at once",
                report_of(database, lines_of(chosen), year),
            )
            await timed(
                repeat,
                "flagged ratings with their state (200) and comments (50)",
                lists_of(database, root, start, end),
            )
        async with database.unit_of_work() as session:
            total = await figures.unit_figures(session, unit_ids=[1], start=start, end=end)
        f = total[1]
        print(
            f"  the year's figures: {f.ratings} ratings counted, index {f.index or 0:.1%}, "
            f"{f.flags} flagged, {f.flags_followed} followed up, {f.flags_resolved} resolved"
        )
    finally:
        await database.dispose()


def page_of(database: Database, root: Unit | None, year: Period) -> Callable[[], Awaitable[object]]:
    async def step() -> object:
        async with database.unit_of_work() as session:
            return await satisfaction_data._compute(session, root, "year", year)

    return step


def report_of(database: Database, lines: list[UnitLine], year: Period) -> Callable[[], Awaitable[object]]:
    async def step() -> object:
        async with database.unit_of_work() as session:
            return await units_satisfaction(session, lines, year)

    return step


def lists_of(
    database: Database, root: Unit | None, start: datetime, end: datetime
) -> Callable[[], Awaitable[object]]:
    async def step() -> object:
        async with database.unit_of_work() as session:
            await followup.flagged_ratings(session, root=root, start=start, end=end)
            return await comments(session, root=root, start=start, end=end)

    return step


async def run_engine(kind: str, args: argparse.Namespace) -> None:
    url, drop = await fresh_database(kind)
    print(f"{kind}:", flush=True)
    today = datetime.now(LOCAL_TZ).date()
    year = Period(today - timedelta(days=364), today)
    start, end = figures.period_bounds(year)
    try:
        await upgrade(url)
        await seed(url, args.units, args.ratings, start, end - timedelta(seconds=1))
        await measure(url, args.repeat, year)
    finally:
        if drop is not None:
            await drop()
    if args.load_seconds:
        load(kind, args.load_seconds)


def load(kind: str, seconds: int) -> None:
    """The form's own bench (bench/feedback_form.py), when it is there, for `seconds`."""
    if not (ROOT / "bench" / "feedback_form.py").exists():
        print("  (bench/feedback_form.py is not in this checkout: no load run)")
        return
    print(f"  the form under load for {seconds} s (bench.feedback_form):", flush=True)
    subprocess.run(
        [sys.executable, "-m", "bench.feedback_form", "--database", kind, "--seconds", str(seconds)],
        cwd=ROOT,
        check=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--ratings", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--load-seconds", type=int, default=0)
    parser.add_argument("--url", help="measure a database seeded by an earlier run (no seeding, kept)")
    args = parser.parse_args()
    if args.url:
        today = datetime.now(LOCAL_TZ).date()
        asyncio.run(upgrade(args.url))
        asyncio.run(measure(args.url, args.repeat, Period(today - timedelta(days=364), today)))
        return
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    for kind in kinds:
        asyncio.run(run_engine(kind, args))


if __name__ == "__main__":
    main()
