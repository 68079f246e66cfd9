"""Values kept a few minutes per process (a province's roll-up or star ranking takes seconds: twenty
readers must not each pay for it): the dashboard's boards, the office's star ranking."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from storage.clock import utcnow

T = TypeVar("T")


@dataclass(frozen=True)
class Kept(Generic[T]):
    value: T
    computed_at: datetime


class ReportCache:
    """Values (reports and what goes with them) kept for `ttl` per key, the oldest dropped past `size`.
    One computation per key at a time: those who ask meanwhile get the value it replaces, or, when there
    is none yet, wait for it rather than repeat it. Per
    process (replicas keep their own); the page says when its figures were computed and offers a fresh
    computation."""

    def __init__(self, *, ttl: timedelta = timedelta(minutes=5), size: int = 32) -> None:
        self.ttl = ttl
        self.size = size
        self._kept: OrderedDict[Hashable, Kept[object]] = OrderedDict()
        self._locks: dict[Hashable, asyncio.Lock] = {}

    async def get(
        self, key: Hashable, compute: Callable[[], Awaitable[T]], *, fresh: bool = False
    ) -> Kept[T]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        kept = self._kept.get(key)
        if not fresh and kept is not None and lock.locked():
            # someone is computing it afresh: the figures of a few minutes ago meanwhile, not a queue
            return kept  # type: ignore[return-value]  # stored under this key by this method
        async with lock:
            kept = self._kept.get(key)
            if not fresh and kept is not None and utcnow() - kept.computed_at < self.ttl:
                self._kept.move_to_end(key)
                return kept  # type: ignore[return-value]  # stored under this key by this method
            value = await compute()
            made: Kept[T] = Kept(value, utcnow())
            self._kept[key] = made  # type: ignore[assignment]
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                dropped, _ = self._kept.popitem(last=False)
                self._locks.pop(dropped, None)
            return made


__all__ = ["Kept", "ReportCache"]
