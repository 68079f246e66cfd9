"""New joiners' signing deadline across a year's end, with a controlled clock: the deadline counted in
working days (New Year's Day and the weekend skipped), a reminder naming it on working days only, the head
told once on each of their channels, "overdue" a lapse in the reports."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from compliance.office.accounts import ChannelUser, link
from compliance.office.officials import actor_of
from compliance.office.staff_import import import_staff
from compliance.pledge import deadlines
from compliance.pledge import signing as pledges
from compliance.pledge.reminders import notify_overdue
from compliance.practice.calendar import WorkCalendar
from compliance.practice.planner import tick
from compliance.reports.period import Period
from compliance.reports.rollup import build_report
from storage.clock import ShiftedClock, use_clock
from storage.engine import Database
from storage.models import Channel, Official, OfficialStatus, OutboxMessage
from storage.models_broadcast import AuditEntry
from storage.models_campaign import OfficeSetting, OverdueNotice
from tests.factories import link_telegram
from tests.pledge_files import template
from tests.staff_files import OFFICE, xlsx_bytes

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PUBLISHED = date(2026, 12, 1)
JOINED = date(2026, 12, 29)  # a Tuesday; 1/1/2027 is a Friday, a public holiday
BINH, LAN, HUY = "Trần Văn Bình", "Nguyễn Thị Lan", "Đỗ Quang Huy"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), VN)


async def _people(database: Database) -> dict[str, int]:
    async with database.unit_of_work() as session:
        return {o.full_name: o.id for o in (await session.scalars(select(Official))).all()}


@pytest.fixture
async def office(database: Database) -> Database:
    """The Sở's five; the pledge published on 1/12/2026; Bình (the Sở's head, on Telegram and Zalo) and
    Lan joined before it. Huy is on the list but joins only on 29/12 (see join_huy)."""
    with use_clock(ShiftedClock(local(PUBLISHED, 9))):
        async with database.unit_of_work() as session:
            await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
            await pledges.publish(session, template=template(), unit=None, material=True, publisher_id=None)
            people = {o.full_name: o for o in (await session.scalars(select(Official))).all()}
            for n, name in enumerate((BINH, LAN)):
                people[name].status = OfficialStatus.ACTIVE
                await link_telegram(session, people[name], 100 + n)
            await link(session, people[BINH], ChannelUser(Channel.ZALO, "zalo-binh"))
    return database


async def join_huy(database: Database) -> None:
    """Huy links his Telegram account at 10:00 on 29/12/2026: that is when he joined."""
    with use_clock(ShiftedClock(local(JOINED, 10))):
        async with database.unit_of_work() as session:
            huy = await session.scalar(select(Official).where(Official.full_name == HUY))
            assert huy is not None
            await link_telegram(session, huy, 104)
            huy.status = OfficialStatus.ACTIVE
            huy.joined_at = local(JOINED, 10)


async def run_days(database: Database, first: date, last: date, *, before: dict[datetime, object]) -> None:
    """Ticks at 08:00 and 17:00 each day (the reminder time is 07:45); `before` runs a step first."""
    day = first
    while day <= last:
        for hour in (8, 17):
            moment = local(day, hour)
            step = before.get(moment)
            if step is not None:
                await step  # type: ignore[misc]
            with use_clock(ShiftedClock(moment)):
                async with database.unit_of_work() as session:
                    await tick(session, now=moment)
        day += timedelta(days=1)


async def test_the_deadline_is_counted_in_working_days_across_new_year(database: Database) -> None:
    async with database.unit_of_work() as session:
        calendar = await WorkCalendar.load(session, start=JOINED, end=date(2027, 1, 31))
        assert deadlines.nth_working_day_after(calendar, JOINED, 5) == date(2027, 1, 6)
        # 30/12, 31/12, then Monday 4/1: 1/1 (New Year) and the weekend 2–3/1 are skipped
        assert deadlines.nth_working_day_after(calendar, JOINED, 3) == date(2027, 1, 4)
        assert deadlines.nth_working_day_after(calendar, date(2026, 12, 31), 1) == date(2027, 1, 4)


async def test_the_setting_is_five_by_default_and_audited_when_changed(database: Database) -> None:
    async with database.unit_of_work() as session:
        assert await deadlines.days_to_sign(session) == deadlines.DEFAULT_DAYS == 5
        for bad in (0, -1, deadlines.MAX_DAYS + 1):
            with pytest.raises(ValueError):
                await deadlines.set_days_to_sign(session, bad)
        assert await session.scalar(select(func.count()).select_from(OfficeSetting)) == 0
        assert await deadlines.set_days_to_sign(session, 3) is True
        assert await deadlines.set_days_to_sign(session, 3) is False  # unchanged: no second audit line
        assert await deadlines.set_days_to_sign(session, 7) is True
        assert await deadlines.days_to_sign(session) == 7
        lines = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "settings.days_to_sign").order_by(AuditEntry.id)
            )
        ).all()
        assert [(a.before, a.after) for a in lines] == [
            ({"days": 5}, {"days": 3}),
            ({"days": 3}, {"days": 7}),
        ]


async def test_a_joiner_on_29_december_is_reminded_on_working_days_then_the_head_told_once(
    office: Database,
) -> None:
    await run_days(office, date(2026, 12, 28), date(2027, 1, 8), before={local(JOINED, 17): join_huy(office)})
    people = await _people(office)
    async with office.unit_of_work() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        notices = (await session.scalars(select(OverdueNotice))).all()
    huy = [r for r in rows if r.kind == "reminder" and r.official_id == people[HUY]]
    with_deadline = [r.payload["day"] for r in huy if "deadline" in r.payload]
    assert with_deadline == ["2026-12-30", "2026-12-31", "2027-01-04", "2027-01-05", "2027-01-06"]
    assert {r.payload["deadline"] for r in huy if "deadline" in r.payload} == {"2027-01-06"}
    # one reminder a day, working days only; after the deadline the ordinary one asks on
    assert Counter(r.payload["day"] for r in huy) == dict.fromkeys(
        [*with_deadline, "2027-01-07", "2027-01-08"], 1
    )
    # Lan joined before the pledge came out: the publication asked her, she has no joiner's deadline
    lan = [r for r in rows if r.kind == "reminder" and r.official_id == people[LAN]]
    assert lan and not [r for r in lan if "deadline" in r.payload]
    # The Phòng has no head: the Sở's head hears of it, once, on each of his two channels, on 7/1
    told = [r for r in rows if r.kind == "sign_overdue"]
    assert sorted((r.channel.value, r.address) for r in told) == [("telegram", "100"), ("zalo", "zalo-binh")]
    assert {r.official_id for r in told} == {people[BINH]}
    assert {r.created_at.astimezone(VN).date() for r in told} == {date(2027, 1, 7)}
    assert told[0].payload == {
        "full_name": HUY,
        "unit_name": "Phòng Quản lý vận tải",
        "joined": "2026-12-29",
        "deadline": "2027-01-06",
    }
    assert [(n.official_id, n.subject, n.deadline, n.notified) for n in notices] == [
        (people[HUY], "joiner", date(2027, 1, 6), 2)
    ]


async def test_overdue_is_a_lapse_from_the_day_after_the_deadline(office: Database) -> None:
    await join_huy(office)
    people = await _people(office)
    kinds = {}
    for day in (date(2027, 1, 6), date(2027, 1, 7)):
        with use_clock(ShiftedClock(local(day, 12))):
            async with office.unit_of_work() as session:
                report = await build_report(session, root=None, period=Period(day, day))
        kinds[day] = {lapse.kind for lapse in report.lapses if lapse.official_id == people[HUY]}
    assert kinds == {date(2027, 1, 6): {"not_signed"}, date(2027, 1, 7): {"overdue"}}


async def test_signing_in_time_means_no_notice_and_no_lapse(office: Database) -> None:
    await join_huy(office)
    with use_clock(ShiftedClock(local(date(2027, 1, 5), 9))):
        async with office.unit_of_work() as session:
            huy = await session.scalar(select(Official).where(Official.full_name == HUY))
            assert huy is not None
            version = await pledges.current_version(session, huy.unit)
            assert version is not None
            result = await pledges.sign(
                session,
                actor=actor_of(huy),
                version_id=version.id,
                typed_name=HUY,
                locale="vi",
                chat_id=104,
                message_id=1,
            )
            assert result.outcome is pledges.SignOutcome.SIGNED
    await run_days(office, date(2027, 1, 6), date(2027, 1, 8), before={})
    async with office.unit_of_work() as session:
        told = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "sign_overdue")
        )
        report = await build_report(session, root=None, period=Period(date(2027, 1, 8), date(2027, 1, 8)))
    assert told == 0
    assert "overdue" not in {lapse.kind for lapse in report.lapses}


async def test_a_shorter_setting_brings_the_deadline_forward(office: Database) -> None:
    async with office.unit_of_work() as session:
        await deadlines.set_days_to_sign(session, 3)
    await join_huy(office)
    with use_clock(ShiftedClock(local(date(2027, 1, 5), 9))):
        async with office.unit_of_work() as session:
            versions = await pledges.versions_by_unit(session)
            found = await deadlines.joiners(session, versions, at=local(date(2027, 1, 5), 9))
    assert [(j.joined_on, j.deadline) for j in found] == [(JOINED, date(2027, 1, 4))]
    assert found[0].overdue_at(local(date(2027, 1, 5), 9))


@pytest.mark.parametrize("hoa_agreed", [True, False])
async def test_the_nearest_head_who_agreed_is_told(office: Database, hoa_agreed: bool) -> None:
    """Châu (Văn phòng) joins late: Hoa, the Văn phòng's head, is told; if Hoa has not agreed to the
    privacy notice nothing is planned for her, and the Sở's head is told instead."""
    with use_clock(ShiftedClock(local(JOINED, 10))):
        async with office.unit_of_work() as session:
            people = {o.full_name: o for o in (await session.scalars(select(Official))).all()}
            hoa, chau = people["Lê Thị Hoa"], people["Phạm Minh Châu"]
            hoa.status = chau.status = OfficialStatus.ACTIVE
            if hoa_agreed:
                await link_telegram(session, hoa, 102)
            else:
                await link(session, hoa, ChannelUser.telegram(102))
            await link_telegram(session, chau, 103)
            chau.joined_at = local(JOINED, 10)
    moment = local(date(2027, 1, 7), 9)
    with use_clock(ShiftedClock(moment)):
        async with office.unit_of_work() as session:
            versions = await pledges.versions_by_unit(session)
            assert await notify_overdue(session, versions, now=moment) == (1 if hoa_agreed else 2)
            assert await notify_overdue(session, versions, now=moment) == 0  # once
            told = (
                await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "sign_overdue"))
            ).all()
    expected = {("telegram", "102")} if hoa_agreed else {("telegram", "100"), ("zalo", "zalo-binh")}
    assert {(r.channel.value, r.address) for r in told} == expected
    assert {r.payload["full_name"] for r in told} == {"Phạm Minh Châu"}
