"""Who counts (office.staff_roll), pinned on a unit holding people in every state — invited, active,
left after erasure, unreachable, a head, a newcomer, and an admin of ADMIN_IDS on no list — and read the
same by every figure: /report and its people, /units, the ceremony, the Monday summary, broadcasts and
self-checks. Both engines."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.broadcasts.sending import Target, TargetKind, count_recipients
from compliance.office import staff_roll, unit_listing
from compliance.office.accounts import ChannelUser
from compliance.office.officials import Actor, actor_of, load_actor
from compliance.office.staff_import import import_staff
from compliance.pledge import signing as pledges
from compliance.practice.planning import Audience, open_selfchecks
from compliance.privacy.erasure import erase
from compliance.reports import rollup as reports
from compliance.reports.period import Period
from compliance.reports.weekly import plan_weekly_summaries
from storage.clock import ShiftedClock, use_clock
from storage.engine import Database
from storage.models import Official, OfficialStatus, OutboxMessage, Unit
from storage.models_practice import SelfCheck
from tests.factories import link_telegram
from tests.pledge_files import template
from tests.staff_files import xlsx_bytes

VN = ZoneInfo("Asia/Ho_Chi_Minh")
START = date(2026, 11, 2)  # a Monday: the list is imported, the pledge published
EARLY = Period(date(2026, 11, 9), date(2026, 11, 15))  # before Khoa was erased and Đến was added
LATE = Period(date(2026, 11, 23), date(2026, 11, 29))
ADMIN_TELEGRAM_ID = 999


async def _admin_on_no_list(session: AsyncSession) -> Actor | None:
    """The admin named by ADMIN_IDS, who is on no staff list."""
    return await load_actor(
        session,
        user=ChannelUser.telegram(ADMIN_TELEGRAM_ID),
        display_name="Quản trị",
        language_code="vi",
        admin_ids=frozenset({ADMIN_TELEGRAM_ID}),
        default_locale="vi",
    )


STAFF = [
    ["Trần Thu Hà", "Trưởng phòng", "Phòng Cải cách hành chính", "0913 000 001", "", "trưởng đơn vị"],
    ["Lý Văn Nam", "Chuyên viên", "Phòng Cải cách hành chính / Tổ Một cửa", "0913 000 002", "", ""],
    ["Vũ Thị Mai", "Chuyên viên", "Phòng Cải cách hành chính / Tổ Một cửa", "0913 000 003", "", ""],
    ["Đặng Văn Tú", "Chuyên viên", "Phòng Cải cách hành chính / Tổ Một cửa", "0913 000 004", "", ""],
    ["Hồ Thị Yến", "Chuyên viên", "Phòng Cải cách hành chính / Tổ Một cửa", "0913 000 005", "", ""],
    ["Bùi Văn Khoa", "Chuyên viên", "Phòng Cải cách hành chính / Tổ Một cửa", "0913 000 006", "", ""],
]
NEWCOMER = ["Mới Văn Đến", "Chuyên viên", "Phòng Cải cách hành chính / Tổ Một cửa", "0913 000 007", "", ""]


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), VN)


@pytest.fixture
async def every_state(database: Database) -> Database:
    clock = ShiftedClock(at(START))
    with use_clock(clock):
        async with database.unit_of_work() as session:
            await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(STAFF))
            published = await pledges.publish(
                session, template=template(), unit=None, material=False, publisher_id=None, now=at(START)
            )
            assert published.version is not None
            people = {p.full_name: p for p in (await session.scalars(select(Official))).all()}
            for n, name in enumerate(
                ["Trần Thu Hà", "Lý Văn Nam", "Vũ Thị Mai", "Hồ Thị Yến", "Bùi Văn Khoa"]
            ):
                people[name].status = OfficialStatus.ACTIVE
                await link_telegram(session, people[name], 500 + n)
                people[name].joined_at = at(START, 10)
            await session.flush()
            clock.move_to(at(START + timedelta(days=1)))
            for name in ("Trần Thu Hà", "Lý Văn Nam", "Bùi Văn Khoa"):
                await pledges.sign(
                    session,
                    actor=actor_of(people[name]),
                    version_id=published.version.id,
                    typed_name=name,
                    locale="vi",
                    chat_id=1,
                    message_id=1,
                )
            people["Hồ Thị Yến"].status = OfficialStatus.UNREACHABLE  # she blocked the bot
            # an admin named by ADMIN_IDS, on no staff list
            await _admin_on_no_list(session)
        clock.move_to(at(date(2026, 11, 18)))
        async with database.unit_of_work() as session:
            await import_staff(session, file_name="ds2.xlsx", content=xlsx_bytes([*STAFF, NEWCOMER]))
        clock.move_to(at(date(2026, 11, 20)))
        async with database.unit_of_work() as session:
            khoa = await session.scalar(select(Official).where(Official.full_name == "Bùi Văn Khoa"))
            assert khoa is not None
            await erase(session, official_id=khoa.id, actor=None)
    return database


async def _units(database: Database) -> tuple[Unit, Unit]:
    async with database.unit_of_work() as session:
        office = await session.scalar(select(Unit).where(Unit.name == "Phòng Cải cách hành chính"))
        team = await session.scalar(select(Unit).where(Unit.name == "Tổ Một cửa"))
    assert office is not None and team is not None
    return office, team


async def test_a_period_counts_the_list_of_its_time(every_state: Database) -> None:
    office, team = await _units(every_state)
    with use_clock(ShiftedClock(at(date(2026, 12, 1)))):
        async with every_state.unit_of_work() as session:
            early = await reports.build_report(session, root=office, period=EARLY)
            late = await reports.build_report(session, root=office, period=LATE)
    # Hà, Nam, Mai, Tú (never joined), Yến (unreachable), Khoa (erased later): the admin is nowhere
    f = early.total
    assert (f.on_list, f.joined, f.signed, f.signed_rate) == (6, 5, 3, 0.5)
    assert (f.check_slots, f.quiz_slots) == (6, 6)
    # Khoa is counted in the week he was on the list, under the mark his erasure left instead of his name
    assert sorted(p.full_name for p in early.people) == sorted([*(s[0] for s in STAFF[:5]), "—"])
    # later: Khoa is gone, Đến is on the list and has not joined
    f = late.total
    assert (f.on_list, f.joined, f.signed) == (6, 4, 2)
    assert early.complete and late.complete
    team_line = next(line for line in late.units if line.unit_id == team.id)
    assert (team_line.subtree.on_list, team_line.subtree.joined, team_line.subtree.signed) == (5, 3, 1)
    lapses = {(lapse.kind, lapse.full_name) for lapse in late.lapses}
    assert lapses == {
        ("not_joined", "Đặng Văn Tú"),
        ("not_joined", "Mới Văn Đến"),
        ("unreachable", "Hồ Thị Yến"),
        # they joined after the pledge came out and its five working days to sign are long past
        ("overdue", "Hồ Thị Yến"),
        ("overdue", "Vũ Thị Mai"),
    }
    by_name = {p.full_name: p for p in late.people}
    signed_at = by_name["Lý Văn Nam"].signed_at  # the clock runs on from the scene's instant
    assert signed_at is not None and abs(signed_at - at(START + timedelta(days=1))) < timedelta(minutes=1)
    assert by_name["Đặng Văn Tú"].lapses == ["not_joined"] and not by_name["Đặng Văn Tú"].joined


async def test_the_previous_period_has_its_own_signatures(every_state: Database) -> None:
    office, _team = await _units(every_state)
    period = Period(START, START + timedelta(days=6))
    with use_clock(ShiftedClock(at(date(2026, 12, 1)))):
        async with every_state.unit_of_work() as session:
            report = await reports.build_report(session, root=office, period=period)
    # the week before START: nobody was on the list yet, so nothing to compare with
    assert report.previous_total.on_list == 0 and report.previous_total.signed_rate is None
    assert (report.total.on_list, report.total.signed) == (6, 3)


async def test_every_screen_reads_the_same_definition(every_state: Database) -> None:
    office, team = await _units(every_state)
    with use_clock(ShiftedClock(at(date(2026, 11, 24)))):
        async with every_state.unit_of_work() as session:
            admin = await _admin_on_no_list(session)
            assert admin is not None and admin.unit_id is None
            level = await unit_listing.browse(session, actor=admin, unit_id=office.id)
            assert level is not None and level.unit is not None
            assert (level.unit.officials, level.unit.joined) == (6, 4)
            assert [(c.officials, c.joined) for c in level.children] == [(5, 3)]
            whole = await unit_listing.office_counts(session)
            assert (whole.officials, whole.joined) == (6, 4)  # not the admin
            version = await pledges.current_version(session, team)
            assert version is not None
            assert await staff_roll.signed_of_list(session, root=team, version_id=version.id) == (1, 5)
            assert await staff_roll.signed_of_list(session, root=office, version_id=version.id) == (2, 6)
            # reachable on a list now: Hà, Nam, Mai (Yến blocked the bot, Tú and Đến never joined)
            assert await count_recipients(session, actor=admin, target=Target(TargetKind.ALL)) == 3
            versions = await pledges.versions_by_unit(session)
            week = date(2026, 11, 23)
            await open_selfchecks(
                session,
                week,
                at(week + timedelta(days=4), 17),
                Audience((office.id, team.id)),
                versions,
                at(week),
            )
            checked = (
                await session.scalars(
                    select(Official.full_name).join(SelfCheck, SelfCheck.official_id == Official.id)
                )
            ).all()
            assert sorted(checked) == ["Lý Văn Nam", "Trần Thu Hà", "Vũ Thị Mai"]
            await plan_weekly_summaries(session, week=date(2026, 11, 16))
            summaries = (
                await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "weekly_report"))
            ).all()
    payloads = {int(row.address): row.payload for row in summaries}
    # the head's Monday summary of 9–15 November: the list of that week, Khoa not yet erased
    head = payloads[500]
    assert (head["on_list"], head["joined"], head["signed"], head["check_slots"]) == (6, 5, 3, 6)
