"""Logging that never shows the bot token, at any level, and at INFO says only what happened.

httpx and httpcore log every request URL, and Telegram's URLs contain the token: they are kept at
WARNING, and every line that still goes out passes through a formatter that masks the secrets.

The web server's access lines (uvicorn.access, at DEBUG only) name the paths asked for, and a sign-in
link's path holds its one-time token, a shared file's (/f/<token>) its capability: the formatter masks
what follows /signin/ and /f/ too.

INFO is one line per update plus real events. APScheduler logs every run of every job ("Running job",
"executed successfully": two lines every few seconds, most of a day's log), Alembic describes its
connection each time a command checks the schema, and uvicorn logs every request: all are kept at WARNING
unless LOG_LEVEL=DEBUG.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

REDACTED = "[REDACTED]"
CHATTY = ("apscheduler", "alembic", "uvicorn.access")
# A one-time sign-in link's token in a logged path (handlers/web/auth.py serves GET /signin/<token>), and a
# shared file's (handlers/web/files.py serves GET /f/<token>: whoever has the path has the file).
SIGN_IN_TOKEN = re.compile(r"(/(?:signin|f)/)[A-Za-z0-9_\-]+")
# A bot token in an API URL (Telegram's and Zalo's are both /bot<digits>:<letters>/method), should one
# reach a line before its literal value is registered (a test, a library logging at WARNING).
URL_BOT_TOKEN = re.compile(r"(/bot)\d+:[A-Za-z0-9_\-]+")


class RedactingFormatter(logging.Formatter):
    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = URL_BOT_TOKEN.sub(rf"\g<1>{REDACTED}", text)
        return SIGN_IN_TOKEN.sub(rf"\g<1>{REDACTED}", text)


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
        logger = logging.getLogger(name)
        logger.setLevel(chatty)
        # uvicorn started with access_log=False (an embedded server) leaves its access logger cut off from
        # the root's handlers: this setup decides where every line goes, redaction included.
        logger.handlers.clear()
        logger.propagate = True
    return handler
