"""The processes of bench/scale.py: webhook replicas, the fake Bot API server, and a sampler of the
database connections they hold."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import IO

import asyncpg

from bench.bot_process import (
    PYTHON,
    ROOT,
    fake_bot_api,
    stop_process,
    user_id_of,
)
from bench.dispatch import free_port

READY = "serving the web pages at"


class ConnectionSampler:
    """The peak number of server connections to one database, sampled every 100 ms."""

    def __init__(self, dsn: str, database: str) -> None:
        self.dsn, self.database = dsn, database
        self.peak = 0
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()  # one connection: one query at a time

    async def __aenter__(self) -> ConnectionSampler:
        self._connection = await asyncpg.connect(self.dsn)
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self._connection.close()

    async def now(self) -> int:
        async with self._lock:
            return int(
                await self._connection.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = $1", self.database
                )
            )

    def reset(self) -> None:
        self.peak = 0

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, await self.now())
            await asyncio.sleep(0.1)


class Replica:
    """One `python -m bot run` in webhook mode; its stderr drained into a file."""

    def __init__(self, env: dict[str, str], log: IO[bytes]) -> None:
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.log = log
        self.ready = asyncio.Event()
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            PYTHON,
            "-m",
            "bot",
            "run",
            cwd=ROOT,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        async for line in self.process.stderr:
            self.log.write(line)
            if READY.encode() in line:
                self.ready.set()

    async def stop(self) -> None:
        if self.process is not None:
            await stop_process(self.process)
            await self._reader


@contextlib.asynccontextmanager
async def fake_api(limit: int, officials: int, log: IO[bytes]) -> AsyncIterator[str]:
    """One fake Bot API server for all replicas: Telegram's limit is per bot, not per process."""
    options = ["--rate", str(limit), "--per-chat-gap", "1"]
    options += ["--known-chats", f"{user_id_of(0)}-{user_id_of(officials - 1)}"]
    async with fake_bot_api(log, options=options, start_timeout=60) as url:
        yield url
