"""`python -m bot run` whose tick reads a simulated clock from a file, for tests of whole processes.

    python -m tests.fakes.replica CLOCK_FILE [--tick-seconds 0.25]

It is the real entry point (bot.cli.main "run": migrations, webhook or polling, dispatcher, JobQueue),
with two changes made through bot.cli.run's `configure` hook: the tick runs every --tick-seconds, and
each tick plans what is due at the UTC time written in CLOCK_FILE (ISO 8601). After reading it, the
tick logs "simulated tick at <time> (<n>)", n counting its ticks at that time, so a test knows every
replica has ticked at a time (n >= 2: a tick at that time has finished) before it moves the clock on.
Everything else runs on the real clock (leases, the per-chat gap, not_before of planned messages), so
what a tick plans is due at once.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from telegram.ext import Application

from bot.cli import main
from handlers.telegram.context import BotServices

log = logging.getLogger("tests.replica")


def file_clock(path: Path) -> Callable[[], datetime]:
    seen: dict[str, int] = {}

    def now() -> datetime:
        text = path.read_text().strip()
        seen[text] = seen.get(text, 0) + 1
        log.info("simulated tick at %s (%d)", text, seen[text])
        return datetime.fromisoformat(text)

    return now


def run() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("clock_file", type=Path)
    parser.add_argument("--tick-seconds", type=float, default=0.25)
    args = parser.parse_args()

    def configure(application: Application) -> None:  # type: ignore[type-arg]
        services: BotServices = application.bot_data
        services.clock = file_clock(args.clock_file)
        services.tick_seconds = args.tick_seconds

    return main(["run"], configure=configure)


if __name__ == "__main__":
    sys.exit(run())
