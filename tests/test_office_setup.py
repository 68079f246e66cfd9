"""The first-day checklist, read from the database: each step done by what an office really does."""

from __future__ import annotations

from compliance.office import groups, joining
from compliance.office.accounts import ChannelUser
from compliance.office.setup import Step, checklist
from compliance.office.staff_import import import_staff
from compliance.office.units import get_unit_by_code
from compliance.pledge import signing as pledges
from compliance.practice.schedules import set_field
from storage.engine import Database
from storage.models import Official, OfficialStatus, Role
from tests.pledge_files import template
from tests.staff_files import OFFICE, xlsx_bytes


async def test_each_step_is_done_by_what_the_office_does(database: Database) -> None:
    async with database.unit_of_work() as session:
        empty = await checklist(session)
        assert [(s.step, s.done) for s in empty.steps] == [
            (Step.STAFF, False),
            (Step.PLEDGE, False),
            (Step.SCHEDULE, False),
            (Step.HEADS, False),
            (Step.GROUPS, False),
        ]
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        imported = {s.step: s for s in (await checklist(session)).steps}
        assert imported[Step.STAFF].done and imported[Step.STAFF].count == 5
        assert (imported[Step.HEADS].count, imported[Step.HEADS].total) == (0, 2)
        await pledges.publish(session, template=template(), unit=None, material=True, publisher_id=None)
        await set_field(session, unit=None, field="reminder_time", value="07:30")
        heads = []
        for tg, phone in ((61, "0912000001"), (62, "0912000002")):
            joined = await joining.join_by_contact(
                session, user=ChannelUser.telegram(tg), contact_user_id=tg, phone=phone, locale="vi"
            )
            assert joined.actor is not None and joined.actor.role is Role.HEAD
            heads.append(joined.actor)
        unit = await get_unit_by_code(session, "van-phong")
        assert unit is not None
        await groups.link(session, actor=heads[1], chat_id=-1001, title="Văn phòng", unit=unit)
        done = await checklist(session)
        assert done.complete, done.steps
        # A head who leaves the office no longer counts as one to wait for.
        leaver = await session.get(Official, heads[0].id)
        assert leaver is not None
        leaver.status = OfficialStatus.LEFT
        await session.flush()
        heads_step = {s.step: s for s in (await checklist(session)).steps}[Step.HEADS]
        assert (heads_step.count, heads_step.total, heads_step.done) == (1, 1, True)
