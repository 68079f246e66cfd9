"""The one clock of the process.

Handlers, the domain, jobs and the dispatcher all ask `utcnow()` (or `local_now()` / `local_today()`) for
the time, never `datetime.now()`. A test sets the scene's day and hour with `use_clock(ShiftedClock(...))`
and everything — a button pressed, a deadline checked, a tick planned — sees the same instant, whatever
day the suite runs on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Final, Protocol
from zoneinfo import ZoneInfo

LOCAL_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware UTC instant."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    """The real clock moved to another instant, still running at the real pace.

    It keeps running so that what waits on real time (leases, backoff, the per-chat gap, rate limits)
    behaves as in production while the calendar shows the scene's day.
    """

    def __init__(self, start: datetime) -> None:
        self._offset = timedelta()
        self.move_to(start)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def move_to(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the clock takes aware datetimes")
        self._offset = moment.astimezone(UTC) - datetime.now(UTC)

    def advance(self, delta: timedelta) -> None:
        self._offset += delta


_current: Clock = SystemClock()


def utcnow() -> datetime:
    return _current.now()


def local_now() -> datetime:
    """Now in Viet Nam (Asia/Ho_Chi_Minh), whatever the server's time zone."""
    return utcnow().astimezone(LOCAL_TZ)


def local_today() -> date:
    return local_now().date()


def current_clock() -> Clock:
    return _current


def set_clock(clock: Clock) -> Clock:
    """Install `clock` for the whole process; returns the one it replaces."""
    global _current
    previous, _current = _current, clock
    return previous


@contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    previous = set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(previous)
