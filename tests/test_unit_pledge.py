"""The star rating's pledge figures read as grouped counts (compliance.reports.unit_pledge) are the
compliance report's (compliance.reports.rollup.build_report, folded from its roster), unit by unit and
subtree by subtree: the same figure on the stars page and in the report, for a finished week, a running
quarter and the week before, with a unit that published its own pledge and a person who left."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from compliance.feedback.rubric import Metric, load_rubric
from compliance.feedback.stars import StarPeriod, rank_units
from compliance.office.units import get_unit_by_code
from compliance.pledge import signing as pledges
from compliance.reports import rollup as reports
from compliance.reports.period import Period
from compliance.reports.unit_pledge import own_pledge_figures
from storage.engine import Database
from storage.models import Official, OfficialStatus
from tests.pledge_files import template
from tests.test_reports import EARLIER, PERIOD, WEEK, at

QUARTER = Period(WEEK.replace(month=10, day=1), WEEK.replace(month=12, day=31))


async def _changed(office: Database) -> None:
    """Văn phòng publishes its own pledge mid-week, after Hoa signed the office's: her signature is no
    longer of the version that applies to her unit. Huy leaves (erased) the same day: off the list."""
    async with office.unit_of_work() as session:
        unit = await get_unit_by_code(session, "van-phong")
        assert unit is not None
        published = await pledges.publish(
            session,
            template=template(code="van-phong"),
            unit=unit,
            material=True,
            publisher_id=None,
            now=at(WEEK + timedelta(days=3)),
        )
        assert published.version is not None
        huy = await session.scalar(select(Official).where(Official.full_name == "Đỗ Quang Huy"))
        assert huy is not None
        huy.status, huy.erased_at = OfficialStatus.LEFT, at(WEEK + timedelta(days=3))


KEPT = ("on_list", "signed", "checks_on_time", "checks_late", "checks_missed", "check_slots")


def _numbers(figures: reports.Figures) -> tuple[int, ...]:
    return tuple(getattr(figures, name) for name in KEPT)


@pytest.mark.parametrize("changed", [False, True], ids=["as-imported", "own-pledge-and-a-leaver"])
async def test_the_grouped_counts_are_the_reports(office: Database, changed: bool) -> None:
    if changed:
        await _changed(office)
    for period in (PERIOD, QUARTER, Period(EARLIER, EARLIER + timedelta(days=6))):
        async with office.unit_of_work() as session:
            report = await reports.build_report(session, root=None, period=period)
            own = await own_pledge_figures(session, period)
        for line in report.units:
            assert _numbers(own.get(line.unit_id, reports.Figures())) == _numbers(line.own), (
                period,
                line.name,
            )
    # Not a comparison of zeros: the finished week's figures, as tests.test_reports counts them.
    async with office.unit_of_work() as session:
        week = await own_pledge_figures(session, PERIOD)
        report = await reports.build_report(session, root=None, period=PERIOD)
    by_name = {line.name: line.unit_id for line in report.units}
    office_unit, transport = week[by_name["Văn phòng"]], week[by_name["Phòng Quản lý vận tải"]]
    if changed:  # Hoa's signature is of the office's pledge, no longer Văn phòng's; Huy is gone
        assert (office_unit.on_list, office_unit.signed, transport.on_list, transport.checks_missed) == (
            2,
            0,
            1,
            0,
        )
    else:
        assert (office_unit.on_list, office_unit.signed, transport.on_list, transport.checks_missed) == (
            2,
            1,
            2,
            1,
        )
    assert (office_unit.checks_on_time, office_unit.checks_late, office_unit.check_slots) == (1, 1, 2)


async def test_the_stars_score_the_reports_subtree_figures(office: Database) -> None:
    await _changed(office)
    period = StarPeriod(QUARTER.start.year, 4)
    async with office.unit_of_work() as session:
        report = await reports.build_report(session, root=None, period=period.period)
        ranking = await rank_units(session, rubric=load_rubric(), period=period)
    inputs = {
        Metric.SIGNED_SHARE: lambda f: (f.signed, f.on_list),
        Metric.SELF_CHECK_ON_TIME_SHARE: lambda f: (f.checks_on_time, f.checks_due),
    }
    seen = 0
    for line in report.units:
        scored = ranking.of(line.unit_id)
        assert scored is not None
        for criterion in scored.criteria:
            for result in criterion.measures:
                if result.measure.metric in inputs:
                    assert (result.part, result.whole) == inputs[result.measure.metric](line.subtree)
                    seen += 1
    assert seen == 2 * len(report.units)
    top = ranking.of(next(line.unit_id for line in report.units if line.depth == 0))
    assert top is not None and top.rank == 1 and top.peers == 1
