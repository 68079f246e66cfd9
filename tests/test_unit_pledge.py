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
from compliance.office.officials import actor_of
from compliance.office.units import get_unit_by_code
from compliance.pledge import signing as pledges
from compliance.pledge.signing import SignOutcome
from compliance.reports import rollup as reports
from compliance.reports.period import Period
from compliance.reports.unit_pledge import own_pledge_figures
from storage.engine import Database
from storage.models import Official, OfficialStatus, Unit
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


async def _edges(office: Database) -> None:
    """Bình, who never signed for himself, signs on behalf of the Sở (a unit's signature, no person's);
    Châu signs after the week's cut-off (counted in the quarter, not the week); a person is listed in
    Phòng QLVT after the week; a team merged into Văn phòng still holds a person who signed (merged
    units are history: counted in neither reading)."""
    async with office.unit_of_work() as session:
        people = {p.full_name: p for p in (await session.scalars(select(Official))).all()}
        hoa, chau, binh = people["Lê Thị Hoa"], people["Phạm Minh Châu"], people["Trần Văn Bình"]
        version = await pledges.current_version(session, hoa.unit)
        assert version is not None and hoa.unit is not None
        office_unit, transport_id = hoa.unit, people["Đỗ Quang Huy"].unit_id
        for who, behalf, day in ((binh, True, 2), (chau, False, 8)):
            signed = await pledges.sign(
                session, actor=actor_of(who), version_id=version.id, typed_name=who.full_name, locale="vi",
                chat_id=1, message_id=day, on_behalf_of_unit=behalf, now=at(WEEK + timedelta(days=day)),
            )  # fmt: skip
            assert signed.outcome is SignOutcome.SIGNED, signed
        session.add(
            Official(
                full_name="Vũ Văn Mới", name_key="vu van moi", unit_id=transport_id,
                created_at=at(WEEK + timedelta(days=8)),
            )
        )  # fmt: skip
        team = Unit(
            code="to-cu", name="Tổ cũ", name_key="to cu", parent_id=office_unit.id,
            path=office_unit.path, depth=office_unit.depth + 1,
        )  # fmt: skip
        session.add(team)
        await session.flush()
        team.path = f"{office_unit.path}{team.id}/"
        old_hand = Official(
            full_name="Hồ Thị Cũ", name_key="ho thi cu", unit_id=team.id, created_at=at(EARLIER)
        )
        session.add(old_hand)
        await session.flush()
        signed = await pledges.sign(
            session, actor=actor_of(old_hand), version_id=version.id, typed_name="Hồ Thị Cũ", locale="vi",
            chat_id=1, message_id=99, now=at(WEEK + timedelta(days=1)),
        )  # fmt: skip
        assert signed.outcome is SignOutcome.SIGNED, signed
        team.merged_into_id = office_unit.id


KEPT = ("on_list", "signed", "checks_on_time", "checks_late", "checks_missed", "check_slots")


def _numbers(figures: reports.Figures) -> tuple[int, ...]:
    return tuple(getattr(figures, name) for name in KEPT)


async def _same_readings(office: Database) -> None:
    """Every live unit's own figures, both ways, for a finished week, a running quarter, the week before."""
    for period in (PERIOD, QUARTER, Period(EARLIER, EARLIER + timedelta(days=6))):
        async with office.unit_of_work() as session:
            report = await reports.build_report(session, root=None, period=period)
            own = await own_pledge_figures(session, period)
        for line in report.units:
            mine = own.get(line.unit_id, reports.Figures())
            assert _numbers(mine) == _numbers(line.own), (period, line.name)


@pytest.mark.parametrize("changed", [False, True], ids=["as-imported", "own-pledge-and-a-leaver"])
async def test_the_grouped_counts_are_the_reports(office: Database, changed: bool) -> None:
    if changed:
        await _changed(office)
    await _same_readings(office)
    # Not a comparison of zeros: the finished week's figures, as tests.test_reports counts them.
    async with office.unit_of_work() as session:
        week = await own_pledge_figures(session, PERIOD)
        units = {u.code: u.id for u in (await session.scalars(select(Unit))).all()}
    office_unit, transport = week[units["van-phong"]], week[units["phong-quan-ly-van-tai"]]
    found = (office_unit.on_list, office_unit.signed, transport.on_list, transport.checks_missed)
    # changed: Hoa's signature is of the office's pledge, no longer Văn phòng's; Huy is gone
    assert found == ((2, 0, 1, 0) if changed else (2, 1, 2, 1))
    assert (office_unit.checks_on_time, office_unit.checks_late, office_unit.check_slots) == (1, 1, 2)


async def test_signatures_on_behalf_late_signers_late_listings_and_merged_units(office: Database) -> None:
    await _edges(office)
    await _same_readings(office)
    async with office.unit_of_work() as session:
        week = await own_pledge_figures(session, PERIOD)
        quarter = await own_pledge_figures(session, QUARTER)
        units = {u.code: u.id for u in (await session.scalars(select(Unit))).all()}
    office_unit, transport = units["van-phong"], units["phong-quan-ly-van-tai"]
    # the week: Hoa's signature only, Châu's not yet; nobody new; Bình's on behalf is the Sở's, not his
    assert (week[office_unit].signed, week[transport].on_list, week[units["so-gtvt"]].signed) == (1, 2, 0)
    # the quarter, read now: Châu's late signature counts, the new person is on the list
    assert (quarter[office_unit].signed, quarter[transport].on_list) == (2, 3)
    # the stars score the live units' subtrees the report rolls up: the merged team's signer in neither
    period = StarPeriod(QUARTER.start.year, 4)
    async with office.unit_of_work() as session:
        report = await reports.build_report(session, root=None, period=period.period)
        ranking = await rank_units(session, rubric=load_rubric(), period=period)
    by_code = {line.code: line for line in report.units}
    assert "to-cu" not in by_code
    scored = ranking.of(office_unit)
    assert scored is not None
    (signed,) = [m for c in scored.criteria for m in c.measures if m.measure.metric is Metric.SIGNED_SHARE]
    assert (signed.part, signed.whole) == (by_code["van-phong"].subtree.signed, 2) == (2, 2)


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
