"""The star rating at a province's scale: every unit scored and ranked for the current quarter, then its
Excel. Seeds a fresh database as bench.report does (units, officials, signatures, weeks of self-checks) and
an admin's reform and initiatives entry for every unit, then prints the time of each step. Checks nothing.

    .venv/bin/python -m bench.stars                                    # SQLite, 50 000 officials
    .venv/bin/python -m bench.stars --officials 10000 --units 500      # a quicker run
    .venv/bin/python -m bench.stars --database postgresql
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.dispatch import fresh_database
from bench.report_seed import peak_rss_mb, seed_apart
from compliance.feedback.rubric import load_rubric
from compliance.feedback.stars import StarPeriod, quarter_of, rank_units
from compliance.reports.emulation_excel import stars_workbook
from compliance.reports.period import PeriodKind, period_of
from handlers.i18n import load_catalogs, use_locale
from handlers.views.stars import excel_labels
from storage.clock import local_today
from storage.engine import Database
from storage.migrate import upgrade
from storage.models import Unit
from storage.models_emulation import EmulationScore


async def seed_star_scores(session: AsyncSession, period: StarPeriod) -> int:
    """An admin's entry for every unit in `period` (reform and initiatives), unless a kept database has
    them already: the stars then hold every measure the rubric has."""
    assert period.quarter is not None
    there = await session.scalar(
        select(func.count()).where(
            EmulationScore.year == period.year, EmulationScore.quarter == period.quarter
        )
    )
    if there:
        return 0
    ids = (await session.scalars(select(Unit.id))).all()
    rng = random.Random(16)
    rows = [
        {
            "unit_id": unit_id,
            "year": period.year,
            "quarter": period.quarter,
            "reform": round(rng.uniform(30, 50), 2),
            "initiatives": round(rng.uniform(0, 5), 2),
            "note": "bench",
        }
        for unit_id in ids
    ]
    await session.execute(insert(EmulationScore), rows)
    return len(rows)


async def measure(url: str, quarter_day: object) -> None:
    load_catalogs()
    database = Database(url)
    rubric = load_rubric()
    period = quarter_of(quarter_day)  # type: ignore[arg-type]
    assert period.quarter is not None
    try:
        async with database.unit_of_work() as session:
            await seed_star_scores(session, period)
        async with database.unit_of_work() as session:
            started, cpu = time.perf_counter(), time.process_time()
            ranking = await rank_units(session, rubric=rubric, period=period)
            print(
                f"  rank_units, whole office, {period.key}: {time.perf_counter() - started:.2f} s "
                f"(CPU {time.process_time() - cpu:.2f} s), {len(ranking.units)} units, "
                f"peak RSS {peak_rss_mb():.0f} MB",
                flush=True,
            )
            stars = [u.stars for u in ranking.units]
            print("      stars: " + ", ".join(f"{n} ★ {stars.count(n)}" for n in (4, 3, 2, 1)), flush=True)
            started, cpu = time.perf_counter(), time.process_time()
            with use_locale("vi"):
                content = stars_workbook(ranking, excel_labels(period, rubric), "vi")
            print(
                f"  stars_workbook: {time.perf_counter() - started:.2f} s "
                f"(CPU {time.process_time() - cpu:.2f} s), {len(content) / 1024:,.0f} KiB",
                flush=True,
            )
            root = await session.get(Unit, 2)
            started = time.perf_counter()
            mine = await rank_units(session, rubric=rubric, period=period, root=root)
            print(
                f"  rank_units for a head ({root.name if root else '?'}): "
                f"{time.perf_counter() - started:.2f} s, {len(mine.units)} units shown",
                flush=True,
            )
    finally:
        await database.dispose()


async def run(args: argparse.Namespace) -> None:
    last_monday = period_of(PeriodKind.LAST_WEEK, local_today()).start
    url, drop = await fresh_database(args.database)
    try:
        await upgrade(url)
        took = await seed_apart(url, args.officials, args.units, args.weeks, last_monday)
        print(f"seeded in {took:.1f} s", flush=True)
        await measure(url, last_monday)
    finally:
        if drop is not None:
            await drop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--officials", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--weeks", type=int, default=12)
    args = parser.parse_args()
    print(
        f"bench.stars: {args.officials:,} officials in {args.units:,} units, {args.weeks} weeks, "
        f"{args.database}",
        flush=True,
    )
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
