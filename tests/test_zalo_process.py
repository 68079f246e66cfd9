"""`python -m bot run` for a Zalo-only office: no BOT_TOKEN, the fake Zalo server; the start-up line names
the channel, a message is answered, SIGTERM stops it cleanly, the token appears in no log line."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bench.dispatch import free_port
from storage.engine import Database
from tests.fakes.zalo import FakeZalo

ROOT = Path(__file__).resolve().parent.parent
READY = "serving the web pages at"


async def test_a_zalo_only_process_answers_and_stops(database: Database) -> None:
    fake = FakeZalo()
    await fake.start()
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "WEBHOOK_URL", "WEBHOOK_SECRET")}
    env.update(
        PYTHONPATH=str(ROOT),
        ZALO_BOT_TOKEN=fake.token,
        ZALO_API_URL=fake.url,
        DATABASE_URL=database.url,
        LOG_LEVEL="DEBUG",
        PORT=str(free_port()),
        WEBHOOK_LISTEN="127.0.0.1",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=ROOT, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(90):
            while not any(READY in line for line in lines):
                line = (await process.stderr.readline()).decode()
                assert line, "the process ended before serving:\n" + "".join(lines)
                lines.append(line)
        ready = next(line for line in lines if READY in line)
        assert "Zalo by long polling" in ready and "Telegram" not in ready
        await fake.inject("7a7b7c7d", "xin chào")
        await fake.wait_for(lambda: bool(fake.texts("7a7b7c7d")), timeout=30)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await fake.release_pollers()
        _, rest = await asyncio.wait_for(process.communicate(), timeout=60)
        await fake.stop()
    log = "".join(lines) + rest.decode()
    assert process.returncode == 0, log
    assert fake.token not in log and "zalo message" in log
