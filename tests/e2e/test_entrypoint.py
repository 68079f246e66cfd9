"""`python -m bot run` as users start it: migrates, polls TELEGRAM_API_URL, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bench.dispatch import free_port
from compliance.office.staff_import import import_staff
from storage.engine import Database
from tests.factories import FakeUser, buttons, by_telegram, contact, message, press
from tests.fakes.botapi import FakeBotApi
from tests.staff_files import OFFICE, xlsx_bytes

ROOT = Path(__file__).resolve().parent.parent.parent


async def test_run_serves_the_fake_api_and_stops_on_sigterm(database: Database) -> None:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
    server = FakeBotApi()
    await server.start()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": server.token,
        "TELEGRAM_API_URL": server.url,
        "DATABASE_URL": database.url,
        "LOG_LEVEL": "INFO",
        "PORT": str(free_port()),  # the web server's, beside any other process on this machine
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        user = FakeUser(4001, "Lan", "Nguyễn", "en")
        await server.inject(contact(user, "0912000004"))
        # Linked, then the privacy notice; the welcome follows the consent.
        await server.wait_for(lambda: len(server.messages_to(user.id)) >= 2, timeout=60)
        notice = server.messages_to(user.id)[1]
        agree = next(b["callback_data"] for b in buttons(notice) if b["callback_data"].startswith("cs:yes:"))
        await server.inject(press(user, notice, agree))
        await server.wait_for(lambda: len(server.messages_to(user.id)) >= 3, timeout=30)
        assert "Nguyễn Thị Lan" in server.messages_to(user.id)[2]["text"]
        await server.inject(message(user, "/me"))
        await server.wait_for(lambda: len(server.messages_to(user.id)) >= 4, timeout=30)
        # The menus were registered before polling started.
        assert any(key.endswith("|en") for key in server.commands)
        await server.release_pollers()
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await server.stop()
    log = stderr.decode()
    assert process.returncode == 0, log[-2000:]
    assert "Traceback" not in log and server.token not in log
    assert "handler gate,contact_shared" in log  # the one-line-per-update log
    async with database.unit_of_work() as session:
        lan = await by_telegram(session, user.id)
        assert lan is not None and lan.full_name == "Nguyễn Thị Lan"
