"""The citizens' part of `privacy purge` at a province's size (issue 16): `--ratings` ratings (1 000 000)
spread over the last `--years` years (2.5: a third past twice the period), seeded as bench/feedback.py
seeds them (a tenth with a comment, a few per cent flagged, half of those followed up), then, timed, the
dry run's count and the real run's erasure of comments (compliance.privacy.retention_citizens.purge) at
the default period of 365 days. Prints seconds and rows; no target is asserted.

    .venv/bin/python -m bench.retention_citizens [--database sqlite|postgresql|both] [--ratings 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta

from bench.dispatch import fresh_database
from bench.feedback import seed
from compliance.privacy import retention_citizens
from storage.engine import Database
from storage.migrate import upgrade

KEEP = timedelta(days=365)


async def run_engine(kind: str, ratings: int, years: float) -> None:
    url, drop = await fresh_database(kind)
    print(f"{kind}:", flush=True)
    now = datetime.now(UTC)
    try:
        await upgrade(url)
        await seed(url, 200, ratings, now - timedelta(days=365 * years), now)
        database = Database(url)
        try:
            for dry_run in (True, False):
                began = time.perf_counter()
                async with database.unit_of_work() as session:
                    counts = await retention_citizens.purge(session, now=now, keep=KEEP, dry_run=dry_run)
                label = "dry run (count)" if dry_run else "real run (erase)"
                print(
                    f"  {label}: {counts.ratings} ratings, {counts.letters} letters "
                    f"in {time.perf_counter() - began:.2f} s",
                    flush=True,
                )
        finally:
            await database.dispose()
    finally:
        if drop is not None:
            await drop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--ratings", type=int, default=1_000_000)
    parser.add_argument("--years", type=float, default=2.5)
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    for kind in kinds:
        asyncio.run(run_engine(kind, args.ratings, args.years))


if __name__ == "__main__":
    main()
