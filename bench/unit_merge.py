"""Merging units at a province's size (bench.units' tree: 2 001 units, 50 000 officials): the time of the
confirmation page's count (plan_merge) and of the merge itself, for a department with its 49 units and
about 1 250 people merged into another department, and for one phòng merged into its neighbour.

    .venv/bin/python -m bench.unit_merge [DATABASE_URL]      (default: a fresh SQLite file in a temp dir)

A PostgreSQL URL must name an empty database made for the run (the seed gives explicit ids): never the
test server's own database. Figures on the shared 2-core box (30/11/2026), count / merge:
SQLite: department 20–41 ms / 22–106 ms, phòng 6–15 ms / 12–40 ms; PostgreSQL: department 40–80 ms /
207–413 ms, phòng 22–33 ms / 37–53 ms.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, update

from bench.units import admin, seed
from bot.settings import normalise_database_url
from compliance.office import unit_merge
from storage.engine import Database
from storage.migrate import upgrade
from storage.models import Official, Unit


async def _timed_merge(database: Database, source: str, target: str) -> tuple[float, float, int]:
    async with database.unit_of_work() as session:
        started = time.perf_counter()
        plan = await unit_merge.plan_merge(session, actor=admin(), source_code=source, target_code=target)
        planned_ms = (time.perf_counter() - started) * 1000
    async with database.unit_of_work() as session:
        started = time.perf_counter()
        await unit_merge.merge_units(session, actor=admin(), source_code=source, target_code=target)
        merged_ms = (time.perf_counter() - started) * 1000
    return planned_ms, merged_ms, plan.officials


async def main(url: str) -> None:
    await upgrade(url)
    database = Database(url)
    try:
        await seed(database)
        async with database.unit_of_work() as session:
            d2 = await session.scalar(select(Unit.id).where(Unit.code == "d2"))
            # The seed names every department's phòng alike; merged side by side they must differ.
            await session.execute(
                update(Unit)
                .where(Unit.parent_id == d2)
                .values(name=Unit.name + " (cũ)", name_key=Unit.name_key + " (cũ)")
            )
        async with database.unit_of_work() as session:  # the first query after the seed reads cold pages
            started = time.perf_counter()
            await unit_merge.plan_merge(session, actor=admin(), source_code="d2", target_code="d3")
        print(f"first count after the seed (cold): {(time.perf_counter() - started) * 1000:.1f} ms")
        planned, merged, people = await _timed_merge(database, "d2", "d3")
        print(f"department (49 units, {people} people directly in it) into another: "
              f"count {planned:.1f} ms, merge {merged:.1f} ms ({database.dialect})")  # fmt: skip
        planned, merged, people = await _timed_merge(database, "d4-u0", "d4-u1")
        print(f"phòng ({people} people) into its neighbour: count {planned:.1f} ms, merge {merged:.1f} ms")
        async with database.unit_of_work() as session:
            d3_path = await session.scalar(select(Unit.path).where(Unit.code == "d3"))
            below = await session.scalar(
                select(func.count(Official.id)).join(Unit, Unit.id == Official.unit_id)
                .where(Unit.path.startswith(str(d3_path)))
            )  # fmt: skip
        print(f"people now in the receiving department's subtree: {below}")
    finally:
        await database.dispose()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        target = normalise_database_url(sys.argv[1])
    else:
        target = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'merge.db'}"
    asyncio.run(main(target))
