"""What the web pages need from the process, set once on app.state at start (no module globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from storage.engine import Database

# Uploads (a staff list, a pledge YAML, a broadcast's document): larger files are refused before parsing.
UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class WebConfig:
    database: Database
    # The address people reach the pages at, without a trailing slash: links in messages are built on it.
    public_url: str
    default_locale: str = "vi"
    # Telegram's bot token: the key of the Mini App's initData signature (None: no Mini App sign-in).
    telegram_token: str | None = None
    upload_limit: int = UPLOAD_LIMIT_BYTES
    # Sign-in attempts per client address and minute: enough for a person who mistypes, slow for a guesser
    # (a benchmark signing in many users from one address raises it).
    signin_attempts_per_minute: int = 10
    # The citizens' rating form (issue 16): submissions per client address and per reception point and
    # minute (a desk's queue is a few people a minute; a benchmark of many devices raises them), and the
    # least time a person takes to fill it (a robot posts at once).
    ratings_per_address_per_minute: int = 10
    ratings_per_point_per_minute: int = 120
    rating_min_fill_seconds: float = 5.0
    # How long the rating page keeps a reception point's names and staff list in memory (0: read every
    # time): its busiest page then reads no table at all (see feedback/desk_cache.py).
    rating_desk_cache_seconds: float = 30.0
    # Called after a form's transaction committed: wakes the process's outbox dispatcher, so what the form
    # planned (a broadcast, a nudge) goes out now rather than at its next poll.
    wake_outbox: Callable[[], None] | None = None

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    def link(self, path: str) -> str:
        return self.public_url.rstrip("/") + path
