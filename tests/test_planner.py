"""The tick with a controlled clock: a whole week, downtime, restarts, mutes, unit schedules."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from compliance.office.accounts import linked
from compliance.office.officials import actor_of
from compliance.office.staff_import import import_staff
from compliance.office.units import get_unit_by_code
from compliance.pledge import signing as pledges
from compliance.practice import schedules
from compliance.practice import self_checks as practice
from compliance.practice.planner import tick
from storage.clock import ShiftedClock, use_clock
from storage.engine import Database
from storage.models import Official, OfficialStatus, OutboxMessage
from storage.models_practice import DailyReminder, PlannedEvent, SelfCheck
from tests.factories import by_telegram, link_telegram
from tests.pledge_files import template
from tests.staff_files import OFFICE, xlsx_bytes

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = date(2026, 11, 23)  # Tuesday 24/11/2026 is a public holiday (Ngày Văn hóa Việt Nam)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), VN)


@pytest.fixture
async def office(database: Database) -> Database:
    """Five officials, four joined; two of them signed the pledge: all of it the Monday before MONDAY, so
    the week the first Monday summary covers has them on the list."""
    with use_clock(ShiftedClock(local(MONDAY, 1) - timedelta(days=7))):
        await _populate(database)
    return database


async def _populate(database: Database) -> None:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        published = await pledges.publish(
            session,
            template=template(),
            unit=None,
            material=False,
            publisher_id=None,
            now=local(MONDAY, 0) - timedelta(days=7),
        )
        assert published.version is not None
        people = sorted((await session.scalars(select(Official))).all(), key=lambda p: p.id)
        for n, person in enumerate(people[:4]):
            person.status = OfficialStatus.ACTIVE
            await link_telegram(session, person, 100 + n)
        await session.flush()
        for person in people[:2]:
            await pledges.sign(
                session,
                actor=actor_of(person),
                version_id=published.version.id,
                typed_name=person.full_name,
                locale="vi",
                chat_id=1,
                message_id=1,
            )


async def run_ticks(database: Database, start: datetime, end: datetime, every: timedelta) -> None:
    moment = start
    while moment <= end:
        async with database.unit_of_work() as session:
            await tick(session, now=moment)
        moment += every


async def outbox(database: Database) -> list[OutboxMessage]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_a_whole_week(office: Database) -> None:
    await run_ticks(
        office, local(MONDAY, 0), local(MONDAY + timedelta(days=6), 23, 45), timedelta(minutes=15)
    )
    rows = await outbox(office)
    by_kind = Counter(r.kind for r in rows)
    reminder_days = sorted({r.payload["day"] for r in rows if r.kind == "reminder"})
    # Working days only: the holiday on Tuesday and the weekend get nothing.
    assert reminder_days == ["2026-11-23", "2026-11-25", "2026-11-26", "2026-11-27"]
    assert by_kind["reminder"] == 4 * 4
    kinds = Counter((r.payload["kind"], int(r.address)) for r in rows if r.kind == "reminder")
    assert kinds == {("item", 100): 4, ("item", 101): 4, ("sign", 102): 4, ("sign", 103): 4}
    # Rotation: the item of the day changes with the day.
    assert len({r.payload["number"] for r in rows if r.kind == "reminder" and int(r.address) == 100}) > 1
    assert by_kind["selfcheck_open"] == 4 and by_kind["quiz"] == 4
    assert by_kind["selfcheck_nudge"] == 4  # nobody answered: one nudge each, once
    heads = {int(r.address): r.payload for r in rows if r.kind == "weekly_report"}
    assert set(heads) == {100, 101} and by_kind["weekly_report"] == 2  # each head, once a week
    # against the staff list: the Sở's five (Đỗ Quang Huy never joined), Văn phòng's two
    assert heads[100]["unit"] == "Sở GTVT" and (heads[100]["on_list"], heads[100]["joined"]) == (5, 4)
    assert heads[100]["signed"] == 2
    assert heads[101]["unit"] == "Văn phòng" and (heads[101]["on_list"], heads[101]["joined"]) == (2, 2)
    async with office.unit_of_work() as session:
        statuses = Counter((await session.scalars(select(SelfCheck.status))).all())
        opened = {c.opened_at.astimezone(VN) for c in (await session.scalars(select(SelfCheck))).all()}
        planned = {
            (e.kind, e.day): e.at.astimezone(VN) for e in (await session.scalars(select(PlannedEvent))).all()
        }
    assert opened == {local(MONDAY + timedelta(days=4), 14)}  # the first tick at or after Friday 14:00
    assert statuses == {"missed": 4}  # closed after Friday 17:00
    assert ("reminder", MONDAY) in planned and ("reminder", MONDAY + timedelta(days=1)) not in planned


async def test_answers_before_the_nudge_spare_the_nudge_and_count_on_time(office: Database) -> None:
    friday = MONDAY + timedelta(days=4)
    await run_ticks(office, local(friday, 14), local(friday, 14), timedelta(minutes=15))
    async with office.unit_of_work() as session:
        lan = await by_telegram(session, 100)
        assert lan is not None
        check = await session.scalar(select(SelfCheck).where(SelfCheck.official_id == lan.id))
        assert check is not None
        view = await practice.current_selfcheck(session, official_id=check.official_id)
        assert view is not None
        for index in range(len(view.items)):
            await practice.answer_selfcheck(
                session,
                check_id=check.id,
                official_id=check.official_id,
                item_index=index,
                answer="yes",
                now=local(friday, 14, 30),
            )
    await run_ticks(office, local(friday, 15), local(friday, 18), timedelta(minutes=30))
    nudged = {int(r.address) for r in await outbox(office) if r.kind == "selfcheck_nudge"}
    assert nudged == {101, 102, 103}
    async with office.unit_of_work() as session:
        statuses = Counter((await session.scalars(select(SelfCheck.status))).all())
    assert statuses == {"done": 1, "missed": 3}


async def test_downtime_sends_what_fell_due_today_and_skips_earlier_days(office: Database) -> None:
    await run_ticks(office, local(MONDAY, 10), local(MONDAY, 10), timedelta(hours=1))  # late, but today
    assert {r.payload["day"] for r in await outbox(office) if r.kind == "reminder"} == {"2026-11-23"}
    # Down from Monday to Thursday morning: Wednesday's reminder is recorded as skipped, not sent late.
    await run_ticks(
        office, local(MONDAY + timedelta(days=3), 9), local(MONDAY + timedelta(days=3), 9), timedelta(hours=1)
    )
    days = Counter(r.payload["day"] for r in await outbox(office) if r.kind == "reminder")
    assert days == {"2026-11-23": 4, "2026-11-26": 4}
    async with office.unit_of_work() as session:
        skipped = (
            await session.scalars(
                select(PlannedEvent.day).where(
                    PlannedEvent.status == "skipped", PlannedEvent.kind == "reminder"
                )
            )
        ).all()
    assert date(2026, 11, 25) in skipped


async def test_a_restart_or_a_second_replica_plans_nothing_twice(office: Database) -> None:
    for _ in range(3):
        await run_ticks(office, local(MONDAY, 8), local(MONDAY, 8), timedelta(hours=1))
    # four reminders, and Monday 08:00's summary to each of the two heads, once
    assert Counter((r.kind, int(r.address)) for r in await outbox(office)) == {
        ("reminder", 100): 1,
        ("reminder", 101): 1,
        ("reminder", 102): 1,
        ("reminder", 103): 1,
        ("weekly_report", 100): 1,
        ("weekly_report", 101): 1,
    }
    async with office.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(DailyReminder)) == 4


async def test_muted_officials_get_no_reminder_but_still_the_self_check(office: Database) -> None:
    async with office.unit_of_work() as session:
        lan = await by_telegram(session, 100)
        assert lan is not None
        await practice.mute_reminders(session, official_id=lan.id, until=MONDAY + timedelta(days=3))
    await run_ticks(office, local(MONDAY, 0), local(MONDAY + timedelta(days=4), 15), timedelta(hours=1))
    lan_rows = Counter((r.kind, r.payload.get("day")) for r in await outbox(office) if int(r.address) == 100)
    assert lan_rows == {
        ("reminder", "2026-11-27"): 1,
        ("selfcheck_open", None): 1,
        ("selfcheck_nudge", None): 1,
        ("quiz", None): 1,
        ("weekly_report", None): 1,  # chat 100 is the head of the Sở
    }


async def test_a_units_own_schedule_takes_effect_at_the_next_tick(office: Database) -> None:
    async with office.unit_of_work() as session:
        unit = await get_unit_by_code(session, "phong-quan-ly-van-tai")
        assert unit is not None
        await schedules.set_field(session, unit=unit, field="reminder_time", value="9h30")
    await run_ticks(office, local(MONDAY, 8), local(MONDAY, 10), timedelta(minutes=30))
    async with office.unit_of_work() as session:
        in_unit = set(
            (await session.scalars(select(Official.id).where(Official.unit_id == unit.id, linked()))).all()
        )
        events = {
            e.scope: e
            for e in (
                await session.scalars(
                    select(PlannedEvent).where(PlannedEvent.kind == "reminder", PlannedEvent.day == MONDAY)
                )
            ).all()
        }
        reminded = (await session.scalars(select(DailyReminder.official_id))).all()
    assert in_unit and set(events) == {"at 07:45", "at 09:30"}
    assert (events["at 07:45"].planned, events["at 09:30"].planned) == (4 - len(in_unit), len(in_unit))
    assert events["at 07:45"].at.astimezone(VN) == local(MONDAY, 8)  # the first tick after 07:45
    assert events["at 09:30"].at.astimezone(VN) == local(MONDAY, 9, 30)
    assert len(reminded) == len(set(reminded)) == 4


def test_schedule_values_are_validated() -> None:
    assert schedules.parse_time("7h45") == "07:45"
    assert schedules.parse_time("24:00") is None
