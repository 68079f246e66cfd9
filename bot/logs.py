"""Logging that never shows the bot token, at any level, and at INFO says only what happened.

httpx and httpcore log every request URL, and Telegram's URLs contain the token: they are kept at
WARNING, and every line that still goes out passes through a formatter that masks the secrets.

INFO is one line per update plus real events. APScheduler logs every run of every job ("Running job",
"executed successfully": two lines every few seconds, most of a day's log), and Alembic describes its
connection each time a command checks the schema: both are kept at WARNING unless LOG_LEVEL=DEBUG.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO

REDACTED = "[REDACTED]"
CHATTY = ("apscheduler", "alembic")


class RedactingFormatter(logging.Formatter):
    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


def setup_logging(
    level: str, *, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for secretive in ("httpx", "httpcore"):
        logging.getLogger(secretive).setLevel(logging.WARNING)
    chatty = logging.NOTSET if root.level <= logging.DEBUG else logging.WARNING
    for name in CHATTY:
        logging.getLogger(name).setLevel(chatty)
    return handler
