"""The star rating's test office: tests.test_reports' office (its signatures and self-checks of November
2026) with plan updates, citizens' ratings and an admin's entries of known figures in 2026's fourth quarter.

Hand-computed points by the shipped rubric (dong-nai-2025), quarter IV/2026:
- Văn phòng (Hoa, Châu): updates 2 confirmed of 3 delivered → 15 × 2/3 = 10; signed 1/2 → 3.75, self-checks
  on time 1/2 → 3.75; ratings 2 satisfied of 3 → 20 × 2/3 = 13.33; reform 45; initiatives 3: 78.83, 1 ★.
- Phòng Quản lý vận tải (Lan, Huy): updates 1/3 → 5; signed 1/2 → 3.75, on time 1/3 → 2.5; no rating (one
  set aside) → no data, 0; reform 48 corrected to 47.5; no initiatives: 58.75, 1 ★.
- Sở GTVT (its subtree, Bình not joined): updates 3/6 → 7.5; signed 2/5 → 3, on time 2/5 → 3; ratings 2/3 →
  13.33; nothing entered: 26.83.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.feedback import star_scores
from compliance.feedback.rubric import load_rubric
from compliance.office.officials import actor_of
from storage.engine import Database
from storage.models import Channel, Official, OutboxMessage, Role, Unit
from storage.models_broadcast import Broadcast, BroadcastAck
from storage.models_feedback import CitizenRating, ReceptionPoint

VN = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR, QUARTER = 2026, 4


def local(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), VN).astimezone(UTC)


async def units_by_name(session: AsyncSession) -> dict[str, Unit]:
    return {u.name: u for u in (await session.scalars(select(Unit))).all()}


async def people_by_name(session: AsyncSession) -> dict[str, Official]:
    return {p.full_name: p for p in (await session.scalars(select(Official))).all()}


async def _broadcast(
    session: AsyncSession,
    sender: Official,
    sent: datetime,
    to: list[Official],
    acked: list[Official],
    *,
    requires_ack: bool = True,
    twice: tuple[Official, ...] = (),
) -> None:
    broadcast = Broadcast(
        created_by_id=sender.id,
        text="Kế hoạch",
        target={"kind": "all"},
        requires_ack=requires_ack,
        send_at=sent,
        status="done",
        total=len(to),
    )
    session.add(broadcast)
    await session.flush()
    copies = [(person, Channel.TELEGRAM) for person in to] + [(person, Channel.ZALO) for person in twice]
    for person, channel in copies:
        session.add(
            OutboxMessage(
                dedupe_key=f"b:{broadcast.id}:{person.id}:{channel.value}",
                kind="broadcast",
                channel=channel,
                address=str(person.id),
                official_id=person.id,
                broadcast_id=broadcast.id,
                status="sent",
                sent_at=sent,
            )
        )
    for person in acked:
        session.add(BroadcastAck(broadcast_id=broadcast.id, official_id=person.id, acked_at=sent))


def _rating(point: ReceptionPoint, at: datetime, overall: int, **extra: object) -> CitizenRating:
    return CitizenRating(
        point_id=point.id,
        unit_id=point.unit_id,
        created_at=at,
        overall=overall,
        attitude=4,
        trips=1,
        asked_beyond_rules=False,
        address_hash="0" * 64,
        flagged=overall <= 2,
        **extra,
    )


async def add_star_inputs(database: Database) -> None:
    async with database.unit_of_work() as session:
        units, people = await units_by_name(session), await people_by_name(session)
        hoa, chau, lan, huy = (
            people[n] for n in ("Lê Thị Hoa", "Phạm Minh Châu", "Nguyễn Thị Lan", "Đỗ Quang Huy")
        )
        sender = people["Trần Văn Bình"]
        await _broadcast(session, sender, local(date(2026, 10, 5)), [hoa, chau, lan, huy], [hoa, lan])
        # Hoa got this one on two channels: one copy of the update for her all the same
        await _broadcast(session, sender, local(date(2026, 11, 3)), [hoa, lan], [hoa], twice=(hoa,))
        # not counted: no confirmation asked; sent in the quarter before
        await _broadcast(
            session, sender, local(date(2026, 11, 4)), [hoa, chau, lan, huy], [], requires_ack=False
        )
        await _broadcast(session, sender, local(date(2026, 9, 30), 23), [chau, huy], [])
        office, transport = units["Văn phòng"], units["Phòng Quản lý vận tải"]
        desk, other = (
            ReceptionPoint(unit_id=office.id, code="STAR1"),
            ReceptionPoint(unit_id=transport.id, code="STAR2"),
        )
        session.add_all([desk, other])
        await session.flush()
        session.add_all(
            [
                _rating(desk, local(date(2026, 10, 1), 0), 5),
                _rating(desk, local(date(2026, 11, 20)), 4),
                _rating(desk, local(date(2026, 12, 31), 23), 2),
                _rating(desk, local(date(2027, 1, 1), 0), 1),  # the next quarter
                _rating(other, local(date(2026, 11, 20)), 5, set_aside_at=local(date(2026, 11, 21))),
            ]
        )
        admin = people["Trần Văn Bình"]
        admin.role = Role.ADMIN
        actor = actor_of(admin)
        rubric = load_rubric()
        for unit, reform, initiatives, note in (
            (office, 45.0, 3.0, "Chỉ số CCHC quý IV/2026"),
            (transport, 48.0, None, "Chỉ số CCHC quý IV/2026"),
            (transport, 47.5, None, "Sửa: bảng điểm chính thức"),
        ):
            await star_scores.enter_score(
                session,
                rubric=rubric,
                unit=unit,
                year=YEAR,
                quarter=QUARTER,
                reform=reform,
                initiatives=initiatives,
                note=note,
                actor=actor,
            )
        admin.role = Role.HEAD
