"""`python -m bot …` for a child process of a test that runs at another instant (pytest --now).

    CAMKET_TEST_CLOCK=2027-02-05T09:00:00+00:00 python -m tests.fakes.clocked run

The parent's clock is moved by time-machine; a child started from it would read the machine's clock and
disagree with the parent about what day it is. This entry point starts the child's clock where the
parent's stood when it spawned it, running at the real pace, then runs the real command line.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

import time_machine

from bot.cli import main

VARIABLE = "CAMKET_TEST_CLOCK"


def run() -> int:
    start = os.environ.get(VARIABLE)
    if not start:
        return main(sys.argv[1:])
    with time_machine.travel(datetime.fromisoformat(start), tick=True):
        return main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(run())
