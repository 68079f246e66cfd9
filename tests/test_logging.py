"""The token never appears in any log line, at any level; INFO is one line per update and real events, and
a warning says something only when it is true."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import Application, ContextTypes

from bot.logs import CHATTY, setup_logging
from compliance.practice import planner, schedules
from handlers.telegram.jobs import tick_job
from storage.engine import Database
from tests.factories import FakeUser, document
from tests.fakes.telegram_rules import ApiError
from tests.harness import BotHarness

VN = ZoneInfo("Asia/Ho_Chi_Minh")


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
        await harness.say(admin, "/help")  # the admin's first message (the harness's admin has consented)
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


async def _run_job_queue(runs: int) -> None:
    """A job queue like the bot's, offline: a repeating job until it has run `runs` times."""
    application = Application.builder().token("123:ABC").build()
    assert application.job_queue is not None
    done = asyncio.Event()
    count = 0

    async def job(context: ContextTypes.DEFAULT_TYPE) -> None:
        nonlocal count
        count += 1
        if count == runs:
            done.set()

    await application.job_queue.start()
    try:
        application.job_queue.run_repeating(job, interval=0.01, first=0, name="probe")
        await asyncio.wait_for(done.wait(), 10)
    finally:
        await application.job_queue.stop()


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_the_scheduler_says_nothing_at_info(level: str, debug_log: io.StringIO) -> None:
    """APScheduler logs each run of each job at INFO (most of a day's log): kept for DEBUG."""
    saved = {name: logging.getLogger(name).level for name in CHATTY}
    setup_logging(level, stream=debug_log)
    try:
        await _run_job_queue(runs=3)
    finally:
        for name, saved_level in saved.items():
            logging.getLogger(name).setLevel(saved_level)
    running = [
        line for line in debug_log.getvalue().splitlines() if "apscheduler" in line and "Running job" in line
    ]
    if level == "INFO":
        assert "apscheduler" not in debug_log.getvalue()
    else:
        assert len(running) >= 3  # the same queue, at DEBUG: every run is there


def _services(database: Database, now: datetime) -> SimpleNamespace:
    return SimpleNamespace(
        bot_data=SimpleNamespace(database=database, clock=lambda: now, outbox_wakeup=asyncio.Event())
    )


async def _tick(database: Database, now: datetime) -> None:
    await tick_job(_services(database, now))  # type: ignore[arg-type]


async def test_past_events_are_news_only_when_the_bot_was_down(
    office: Database, caplog: pytest.LogCaptureFixture
) -> None:
    wednesday = datetime(2026, 11, 25, 11, 0, tzinfo=VN)
    skipped = "tick skipped events that fell due while the bot was down"
    with caplog.at_level(logging.INFO, logger="handlers.telegram.jobs"):
        # A fresh database: the week's earlier events were never due to anyone; nothing was missed.
        async with office.unit_of_work() as session:
            first = await planner.tick(session, now=wednesday)
        assert first.down_since is None and first.skipped == [] and first.passed > 0
        # A schedule changed while the bot runs: the new time's past days are no news either.
        async with office.unit_of_work() as session:
            await schedules.set_field(session, unit=None, field="reminder_time", value="07:30")
        await _tick(office, wednesday + timedelta(minutes=1))
        assert not [r for r in caplog.records if skipped in r.getMessage()]
        # Down from Wednesday to Friday morning: Thursday's reminder fell due while nothing ticked.
        friday = datetime(2026, 11, 27, 9, 0, tzinfo=VN)
        async with office.unit_of_work() as session:
            report = await planner.tick(session, now=friday)
        assert report.down_since == (wednesday + timedelta(minutes=1)).astimezone(UTC)
        assert report.skipped == [("reminder", "at 07:30", date(2026, 11, 26))]
        # Through the job, down from Friday 9:00 to Monday: one warning, naming Friday afternoon's self-check
        # opening and what came after it, not Friday's reminder, planned before the bot went down.
        await _tick(office, friday + timedelta(days=3))
    warnings = [r.getMessage() for r in caplog.records if skipped in r.getMessage()]
    assert len(warnings) == 1 and "'selfcheck_open'" in warnings[0] and "'reminder'" not in warnings[0]
