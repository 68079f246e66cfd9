"""Bot processes for end-to-end tests (webhook mode, or polling): start, post updates to, read, stop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.dispatch import free_port
from tests.child_clock import bot_module, clock_environment
from tests.fakes.botapi import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent.parent
SECRET = "replica-test-secret_123"
PUBLIC_URL = "https://bot.example.vn/telegram"
READY = "serving the web pages at"


@dataclass
class WebhookBot:
    """One `python -m bot run` (or a module with the same entry point) serving the web pages, /healthz and
    (unless `webhook` is False: long polling) WEBHOOK_URL on a port of its own."""

    server: FakeBotApi
    database_url: str
    module: list[str] = field(default_factory=lambda: ["bot", "run"])
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    webhook: bool = True
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self._ready = asyncio.Event()
        self._changed = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, *, timeout: float = 90.0) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": self.server.token,
            "TELEGRAM_API_URL": self.server.url,
            "DATABASE_URL": self.database_url,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "PORT": str(self.port),
            "LOG_LEVEL": "INFO",
            **clock_environment(),
            **self.extra_env,
        }
        if self.webhook:
            env.update(WEBHOOK_URL=PUBLIC_URL, WEBHOOK_SECRET=SECRET)
        else:
            for name in ("WEBHOOK_URL", "WEBHOOK_SECRET"):
                env.pop(name, None)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            *(bot_module() + self.module[1:] if self.module[0] == "bot" else self.module),
            env=env,
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())
        waiter = asyncio.create_task(self._ready.wait())
        await asyncio.wait({waiter, self._reader}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if not self._ready.is_set():
            waiter.cancel()
            await self.stop()
            raise RuntimeError("the bot did not start:\n" + "\n".join(self.lines[-40:]))

    async def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        async for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip()
            async with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
            if READY in line:
                self._ready.set()

    async def wait_for_line(self, predicate: Callable[[str], bool], *, timeout: float = 30.0) -> str:
        """The first log line (already written or to come) for which `predicate` holds."""
        async with self._changed:
            found = await asyncio.wait_for(
                self._changed.wait_for(lambda: next((x for x in self.lines if predicate(x)), None)), timeout
            )
        assert found is not None
        return found

    async def stop(self) -> int | None:
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 60)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._reader is not None:
            await self._reader
        return self.process.returncode if self.process is not None else None

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    async def post(
        self, client: aiohttp.ClientSession, update: dict[str, Any], *, secret: str = SECRET
    ) -> int:
        """POST an update as Telegram does; the HTTP status."""
        async with client.post(
            f"{self.url}/telegram",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        ) as response:
            await response.read()
            return response.status

    async def health(self, client: aiohttp.ClientSession) -> tuple[int, dict[str, Any]]:
        async with client.get(f"{self.url}/healthz") as response:
            return response.status, await response.json()
