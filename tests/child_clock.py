"""How tests start the bot as a child process so that it reads the same clock as the test."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.fakes.clocked import VARIABLE

# Set by the --now fixture (tests/conftest.py) while a test runs at another instant.
travelling = False


def bot_module() -> list[str]:
    """What follows `python -m` to run the bot's command line in a child process."""
    return ["tests.fakes.clocked"] if travelling else ["bot"]


def clock_environment() -> dict[str, str]:
    """The variables a child needs to start its clock where the test's stands now."""
    return {VARIABLE: datetime.now(UTC).isoformat()} if travelling else {}
