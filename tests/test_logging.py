"""The token never appears in any log line, at any level, and each update is logged in one line."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import setup_logging
from storage.engine import Database
from tests.factories import FakeUser, document
from tests.fakes.telegram_rules import ApiError
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


async def test_a_failing_handler_shows_the_user_no_token(database: Database, debug_log: io.StringIO) -> None:
    """The error behind an apology may carry the token (a request URL in its text): the person gets the
    apology only, and the log line with the traceback is redacted."""
    harness = BotHarness(database, admin_ids=frozenset({BotHarness.ADMIN.id}))
    token = harness.server.token
    setup_logging("DEBUG", secrets=[token], stream=debug_log)
    await harness.start()
    admin = BotHarness.ADMIN
    try:
        leak = f"Internal Server Error at https://api.telegram.org/bot{token}/getFile"
        harness.server.fail_next("getFile", ApiError(500, leak))
        meta = harness.server.add_file("ds.xlsx", b"not really a workbook")
        before = len(harness.server.sent.get(admin.id, []))
        await harness.server.inject(document(admin, meta))
        await harness.server.wait_for(lambda: len(harness.server.sent.get(admin.id, [])) > before + 1)
    finally:
        await harness.stop()
    shown = [str(m.get("text") or m.get("caption") or "") for m in harness.server.sent[admin.id]]
    answers = [
        str(c.params.get("text") or "") for c in harness.server.calls if c.method == "answerCallbackQuery"
    ]
    assert any("Internal Server Error" in line for line in debug_log.getvalue().splitlines())  # it was logged
    for text in [*shown, *answers, debug_log.getvalue()]:
        assert token not in text and token.split(":")[1] not in text
