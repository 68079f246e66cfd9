"""The token never appears in any log line, at any level, and each update is logged in one line."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import setup_logging
from storage.engine import Database
from tests.factories import FakeUser
from tests.harness import BotHarness


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved_handlers:
        root.addHandler(handler)
    root.setLevel(saved_level)


async def test_debug_logs_never_show_the_token(database: Database, debug_log: io.StringIO) -> None:
    harness = BotHarness(database, admin_ids=frozenset({BotHarness.ADMIN.id}))
    setup_logging("DEBUG", secrets=[harness.server.token], stream=debug_log)
    await harness.start()
    try:
        await harness.say(FakeUser(3001, "A", "B"), "/me")
        await harness.say(BotHarness.ADMIN, "/me")
    finally:
        await harness.stop()
    text = debug_log.getvalue()
    token = harness.server.token
    assert "getUpdates" in text or "DEBUG" in text  # DEBUG output was really produced
    assert token not in text and token.split(":")[1] not in text
    assert [line for line in text.splitlines() if "bot.updates" in line and "handler gate" in line]


def test_the_formatter_masks_secrets_in_messages_and_tracebacks() -> None:
    stream = io.StringIO()
    setup_logging("DEBUG", secrets=["123:SECRET"], stream=stream)
    log = logging.getLogger("test.redaction")
    log.debug("calling https://api.telegram.org/bot%s/getMe", "123:SECRET")
    try:
        raise RuntimeError("url https://api.telegram.org/bot123:SECRET/sendMessage")
    except RuntimeError:
        log.exception("failed")
    assert "SECRET" not in stream.getvalue() and stream.getvalue().count("[REDACTED]") >= 2
