"""Waiting in tests for what only the database shows (the fake server cannot tell: it is down, or the
event is a row): look every 50 ms until it holds, or fail after a timeout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager

from tests.fakes.botapi import FakeBotApi


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("the database never showed what the test waited for")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def running_server(chats: Iterable[int]) -> AsyncIterator[FakeBotApi]:
    """A fake Bot API server in this process, where the given chats exist."""
    fake = FakeBotApi()
    await fake.start()
    fake.known_chats.update(chats)
    try:
        yield fake
    finally:
        await fake.stop()
