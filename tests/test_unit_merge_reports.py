"""After a merge, the merged unit's past figures (signatures, self-checks, quizzes) are the target's."""

from __future__ import annotations

from compliance.office import unit_merge
from compliance.reports import rollup as reports
from storage.engine import Database
from tests.test_reports import PERIOD, office  # noqa: F401 - the fixture
from tests.test_unit_admin import admin_actor


async def test_past_figures_of_the_merged_units_people_appear_under_the_target(office: Database) -> None:  # noqa: F811
    async with office.unit_of_work() as session:
        before = await reports.build_report(session, root=None, period=PERIOD)
        admin = await admin_actor(session)
        await unit_merge.merge_units(
            session, actor=admin, source_code="phong-quan-ly-van-tai", target_code="van-phong"
        )
    async with office.unit_of_work() as session:
        after = await reports.build_report(session, root=None, period=PERIOD)
    was = {line.name: line.own for line in before.units}
    now = {line.name: line.own for line in after.units}
    assert "Phòng Quản lý vận tải" not in now  # history, not a line of zeros
    office_vp, merged, joined = was["Văn phòng"], was["Phòng Quản lý vận tải"], now["Văn phòng"]
    assert (joined.on_list, joined.signed) == (
        office_vp.on_list + merged.on_list,
        office_vp.signed + merged.signed,
    )
    assert (joined.on_list, joined.signed) == (4, 2)
    assert joined.checks_done == office_vp.checks_done + merged.checks_done
    assert joined.quiz_takers == office_vp.quiz_takers + merged.quiz_takers
    assert joined.reminders_sent == office_vp.reminders_sent + merged.reminders_sent
    # The office's totals do not move: nobody was lost or counted twice.
    assert after.total.on_list == before.total.on_list and after.total.signed == before.total.signed
    assert after.total.checks_done == before.total.checks_done
    lan = next(p for p in after.people if p.full_name == "Nguyễn Thị Lan")
    assert lan.unit_name == "Văn phòng" and lan.signed_at is not None
