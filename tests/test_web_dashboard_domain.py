"""The dashboard's domain helpers (compliance.reports.dashboard): pages, who a nudge reaches, the cache."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from compliance.reports.dashboard import ReportCache, Status, has_status, nudgeable, page_of, status_counts
from compliance.reports.lapses import Lapse, Person
from compliance.reports.period import Period
from compliance.reports.rollup import Figures, Report
from storage.clock import ShiftedClock, use_clock


def test_pages() -> None:
    items = list(range(121))
    first = page_of(items, 1, 50)
    assert (first.items[0], len(first.items), first.pages, first.total) == (0, 50, 3, 121)
    last = page_of(items, 3, 50)
    assert last.items == list(range(100, 121))
    assert page_of(items, 99, 50).number == 3 and page_of(items, 0, 50).number == 1
    empty = page_of(list[int](), 1, 50)
    assert (empty.items, empty.pages, empty.total) == ([], 1, 0)


def test_who_a_nudge_is_meant_for() -> None:
    lapses = [
        Lapse(1, "A", "U", "not_joined"),  # no chat with the bot
        Lapse(2, "B", "U", "not_signed"),
        Lapse(2, "B", "U", "never_read"),  # one person, two lapses
        Lapse(3, "C", "U", "unreachable"),
        Lapse(3, "C", "U", "not_signed"),  # blocked the bot: not reachable either
        Lapse(4, "D", "U", "missed_twice"),
    ]
    assert nudgeable(lapses) == 2
    assert nudgeable([]) == 0


async def test_the_cache_keeps_computes_once_and_refreshes() -> None:
    calls: list[int] = []

    async def compute() -> int:
        calls.append(1)
        await asyncio.sleep(0)  # let the other askers arrive while this one computes
        return len(calls)

    clock = ShiftedClock(datetime(2026, 11, 21, 5, tzinfo=UTC))
    with use_clock(clock):
        cache = ReportCache(ttl=timedelta(minutes=5), size=2)
        together = await asyncio.gather(*(cache.get("k", compute) for _ in range(5)))
        assert [kept.value for kept in together] == [1] * 5 and len(calls) == 1
        assert (await cache.get("k", compute, fresh=True)).value == 2
        clock.move_to(datetime(2026, 11, 21, 5, 6, tzinfo=UTC))
        assert (await cache.get("k", compute)).value == 3  # older than the ttl: computed again
        await cache.get("a", compute)
        await cache.get("b", compute)  # a third key drops the oldest
        assert (await cache.get("k", compute)).value == 6
        started, release = asyncio.Event(), asyncio.Event()

        async def slow() -> int:
            started.set()
            await release.wait()
            return 100

        refreshing = asyncio.create_task(cache.get("k", slow, fresh=True))
        await started.wait()
        assert (await cache.get("k", compute)).value == 6  # the kept figures while new ones are made
        release.set()
        assert (await refreshing).value == 100 and (await cache.get("k", compute)).value == 100
        assert len(calls) == 6


def test_the_counts_are_the_filters() -> None:
    people = [
        Person(
            n,
            f"P{n}",
            None,
            1,
            "U",
            joined=n % 2 == 0,
            unreachable=False,
            needs_signing=True,
            signed_at=datetime(2026, 11, 17, tzinfo=UTC) if n % 3 == 0 else None,
            missed=n % 4 == 1,
            quizzes=n % 3,
        )
        for n in range(12)
    ]
    total = Figures(on_list=12, check_slots=24)  # two weeks
    report = Report(None, Period(date(2026, 11, 9), date(2026, 11, 22)), [], total, Figures(), people, [])
    counts = status_counts(report)
    assert counts == {status: sum(has_status(p, status, 2) for p in people) for status in Status}
    assert counts[Status.NOT_JOINED] == 6 and counts[Status.NOT_SIGNED] == 8
