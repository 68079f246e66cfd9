"""The roll-up reads the current and the previous period in the same queries: a week both share counts in
both, and a period's figures are the same whether read alone or beside another."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from compliance.reports import rollup as reports
from compliance.reports.period import Period
from storage.engine import Database
from tests.test_reports import EARLIER, PERIOD, WEEK, office  # noqa: F401 - the fixture


async def test_a_week_shared_by_both_periods_counts_in_both(office: Database) -> None:  # noqa: F811
    # Thursday to Wednesday: the self-check weeks of WEEK and the next one; the previous seven days reach
    # back into EARLIER's week, and WEEK's week is in both
    period = Period(WEEK + timedelta(days=3), WEEK + timedelta(days=9))
    assert period.previous() == Period(date(2026, 11, 12), date(2026, 11, 18))
    async with office.unit_of_work() as session:
        report = await reports.build_report(session, root=None, period=period)
    now, before = report.total, report.previous_total
    assert (now.checks_on_time, now.checks_late, now.checks_missed) == (2, 1, 1)
    assert (before.checks_on_time, before.checks_late, before.checks_missed) == (2, 1, 2)  # and EARLIER's
    assert (
        now.item_averages()
        == before.item_averages()
        == pytest.approx({"biet-1": 5 / 6, "biet-2": 5 / 6, "khong-1": 0.5})
    )
    # two weeks each, everyone on the list (five) in every week
    assert (now.quiz_takers, now.quiz_slots, before.quiz_takers, before.quiz_slots) == (2, 10, 2, 10)
    assert (now.check_slots, before.check_slots) == (10, 10)
    assert now.quiz_average == before.quiz_average == pytest.approx(0.9)
    # the reminders went out on WEEK's Monday to Wednesday: all before this period, all in the previous
    assert (now.reminders_sent, before.reminders_sent, before.reminders_read) == (0, 8, 4)
    assert now.signed == before.signed == 2  # both periods end after WEEK's Tuesday, when they signed


async def test_the_previous_period_alone_gives_the_same_figures(office: Database) -> None:  # noqa: F811
    async with office.unit_of_work() as session:
        report = await reports.build_report(session, root=None, period=PERIOD)
        alone = await reports.build_report(session, root=None, period=PERIOD.previous())
    assert PERIOD.previous() == Period(EARLIER, EARLIER + timedelta(days=6))
    assert report.previous_total == alone.total
    assert (alone.total.checks_missed, alone.total.reminders_sent) == (1, 0)
    lines = {line.unit_id: line.own for line in report.units}
    assert all(line.own.on_list == lines[line.unit_id].on_list for line in alone.units)
    # signatures are the period's own: none by EARLIER's end, two by WEEK's
    assert (alone.total.signed, report.total.signed) == (0, 2)
