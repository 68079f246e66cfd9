"""Diagnostic: the real bot with its rate limiter opened wide (python -m bench.no_rate_limiter run).

Telegram lets a bot send about 30 messages a second, and the bot's AIORateLimiter keeps it there, so
under a burst Cam Kết Bot cannot answer faster than that whatever its own cost. This runs the same bot,
same handlers and database work, with the limiter's rates set to 0 (no limiting, retries kept), to show
what the bot itself allows beyond Telegram's ceiling. Used by `python -m bench.updates --no-rate-limiter`.
"""

from __future__ import annotations

import sys

from telegram.ext import AIORateLimiter

import bot.application
from bot.cli import main


class UnlimitedRateLimiter(AIORateLimiter):
    def __init__(self, max_retries: int = 0) -> None:
        super().__init__(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)


bot.application.AIORateLimiter = UnlimitedRateLimiter  # type: ignore[misc]

if __name__ == "__main__":
    sys.exit(main())
