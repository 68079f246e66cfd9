"""/units at a province's size: 2 001 units (a province, 40 departments or communes, 49 units each) and
50 000 officials. Prints the time of each screen's queries and of moving a department with its units.

    .venv/bin/python -m bench.units [DATABASE_URL]      (default: a fresh SQLite file in a temp dir)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

from bot.settings import normalise_database_url
from compliance.office import unit_admin, unit_listing
from compliance.office.officials import Actor
from storage.engine import Database
from storage.migrate import upgrade
from storage.models import Official, OfficialStatus, Role, Unit

DEPARTMENTS = 40
UNITS_EACH = 49
OFFICIALS = 50_000
ROUNDS = 20


def admin() -> Actor:
    return Actor(1, "Bench", None, Role.ADMIN, OfficialStatus.ACTIVE, "vi", None, None, None, None)


async def seed(database: Database) -> None:
    units: list[dict[str, Any]] = [
        {
            "id": 1,
            "parent_id": None,
            "code": "tinh",
            "name": "Tỉnh",
            "name_key": "tỉnh",
            "path": "/1/",
            "depth": 0,
        }
    ]
    next_id = 2
    for d in range(DEPARTMENTS):
        dept = next_id
        next_id += 1
        units.append(
            {"id": dept, "parent_id": 1, "code": f"d{d}", "name": f"Sở {d}", "name_key": f"sở {d}",
             "path": f"/1/{dept}/", "depth": 1}
        )  # fmt: skip
        for u in range(UNITS_EACH):
            units.append(
                {"id": next_id, "parent_id": dept, "code": f"d{d}-u{u}", "name": f"Phòng {u:02}",
                 "name_key": f"phòng {u:02}", "path": f"/1/{dept}/{next_id}/", "depth": 2}
            )  # fmt: skip
            next_id += 1
    officials = [
        {
            "full_name": f"Cán bộ {n}",
            "name_key": f"cán bộ {n}",
            "unit_id": 1 + n % len(units),
            "phone": f"+849{n:08d}",
            "role": Role.OFFICIAL,
            "status": OfficialStatus.ACTIVE if n % 3 else OfficialStatus.INVITED,
        }
        for n in range(OFFICIALS)
    ]
    async with database.unit_of_work() as session:
        await session.execute(insert(Unit), units)
        for start in range(0, len(officials), 5000):
            await session.execute(insert(Official), officials[start : start + 5000])
    if database.dialect == "postgresql":
        async with database.unit_of_work() as session:
            # The ids were given explicitly, so the sequence is behind them.
            await session.execute(text("SELECT setval('units_id_seq', (SELECT max(id) FROM units))"))
            await session.execute(text("ANALYZE"))


async def timed(database: Database, unit_id: int | None, page: int = 0) -> float:
    times = []
    for _ in range(ROUNDS):
        async with database.unit_of_work() as session:
            started = time.perf_counter()
            level = await unit_listing.browse(session, actor=admin(), unit_id=unit_id, page=page)
            if unit_id is None:
                await unit_listing.office_counts(session)
            times.append((time.perf_counter() - started) * 1000)
            assert level is not None
    return statistics.median(times)


async def main(url: str) -> None:
    await upgrade(url)
    database = Database(url)
    try:
        started = time.perf_counter()
        await seed(database)
        print(f"seeded {1 + DEPARTMENTS * (1 + UNITS_EACH)} units, {OFFICIALS} officials "
              f"in {time.perf_counter() - started:.1f} s ({database.dialect})")  # fmt: skip
        async with database.unit_of_work() as session:
            dept = await session.scalar(select(Unit.id).where(Unit.code == "d0"))
        print(f"office screen (1 root, every official counted): {await timed(database, None):.1f} ms median")
        print(f"province screen (40 departments, page 1 of 4):   {await timed(database, 1):.1f} ms median")
        print(f"province screen, page 4:                         {await timed(database, 1, 3):.1f} ms median")
        print(f"department screen (49 units, page 1 of 5):       {await timed(database, dept):.1f} ms median")
        async with database.unit_of_work() as session:
            started = time.perf_counter()
            await unit_admin.move_unit(session, actor=admin(), code="d0", new_parent_code="d1")
            moved_ms = (time.perf_counter() - started) * 1000
        print(f"move a department with its 49 units under another: {moved_ms:.1f} ms")
    finally:
        await database.dispose()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        target = normalise_database_url(sys.argv[1])
    else:
        target = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'units.db'}"
    asyncio.run(main(target))
