"""Broadcasts in the domain: audiences within reach, cancel and stop, acknowledgements, the reminder's day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update

from compliance.broadcasts import sending as broadcasts
from compliance.broadcasts import status as broadcast_status
from compliance.broadcasts.followup import auto_reminder_due
from compliance.broadcasts.sending import Draft, StopOutcome, Target, TargetKind
from compliance.broadcasts.status import AckOutcome
from compliance.office.accounts import Address
from compliance.office.officials import Actor, actor_of
from compliance.practice.calendar import LOCAL_TZ, WorkCalendar
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Official, OutboxMessage, Role
from storage.models_broadcast import AuditEntry, Broadcast


async def _actor(database: Database, name: str) -> Actor:
    async with database.unit_of_work() as session:
        official = (await session.scalars(select(Official).where(Official.full_name == name))).one()
        return actor_of(official)


async def _admin(database: Database) -> Actor:
    async with database.unit_of_work() as session:
        admin = Official(full_name="Quản trị", name_key="quản trị", role=Role.ADMIN)
        session.add(admin)
        await session.flush()
        return actor_of(admin)


def _draft(kind: TargetKind, *, send_at: datetime | None = None) -> Draft:
    return Draft(text="Kế hoạch số 15", target=Target(kind), send_at=send_at or utcnow(), requires_ack=True)


async def test_audiences_stay_within_the_senders_reach(office: Database) -> None:
    hoa = await _actor(office, "Lê Thị Hoa")  # head of Văn phòng: herself and Châu have Telegram
    admin = await _admin(office)
    async with office.unit_of_work() as session:
        assert await broadcasts.count_recipients(session, actor=hoa, target=Target(TargetKind.ALL)) == 2
        assert await broadcasts.count_recipients(session, actor=admin, target=Target(TargetKind.ALL)) == 4
        # Heads with Telegram: Hoa only (the director has not joined).
        assert await broadcasts.count_recipients(session, actor=admin, target=Target(TargetKind.HEADS)) == 1
        choice = await broadcasts.resolve_units(
            session, actor=hoa, codes=["van-phong", "phong-quan-ly-van-tai", "khong-co"]
        )
        assert [u.name for u in choice.units] == ["Văn phòng"]
        assert choice.outside == ["phong-quan-ly-van-tai"] and choice.unknown == ["khong-co"]


async def test_a_scheduled_broadcast_is_cancelled_and_a_started_one_stopped(office: Database) -> None:
    hoa = await _actor(office, "Lê Thị Hoa")
    lan = await _actor(office, "Nguyễn Thị Lan")
    async with office.unit_of_work() as session:
        later = await broadcasts.create(
            session, actor=hoa, draft=_draft(TargetKind.ALL, send_at=utcnow() + timedelta(days=1))
        )
        now = await broadcasts.create(session, actor=hoa, draft=_draft(TargetKind.ALL))
        later_id, now_id = later.id, now.id
        assert (later.status, later.total, now.status, now.total) == ("scheduled", 2, "sending", 2)
    async with office.unit_of_work() as session:
        first = await session.scalar(
            select(func.min(OutboxMessage.id)).where(OutboxMessage.broadcast_id == now_id)
        )
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == first).values(status="sent"))
        assert (
            await broadcasts.stop(session, actor=lan, broadcast_id=now_id)
        ).outcome is StopOutcome.NOT_ALLOWED
        cancelled = await broadcasts.stop(session, actor=hoa, broadcast_id=later_id)
        stopped = await broadcasts.stop(session, actor=hoa, broadcast_id=now_id)
        assert (cancelled.outcome, cancelled.unsent) == (StopOutcome.CANCELLED, 2)
        assert (stopped.outcome, stopped.unsent) == (StopOutcome.STOPPED, 1)
        again = await broadcasts.stop(session, actor=hoa, broadcast_id=now_id)
        assert again.outcome is StopOutcome.ALREADY_OVER
    async with office.unit_of_work() as session:
        progress = (await broadcast_status.progress_of(session, [now_id]))[now_id]
        assert (progress.total, progress.sent, progress.cancelled, progress.remaining) == (2, 1, 1, 0)
        statuses = {
            bid: status for bid, status in await session.execute(select(Broadcast.id, Broadcast.status))
        }
        assert statuses == {later_id: "cancelled", now_id: "stopped"}
        actions = (
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.action.startswith("broadcast"))
                .order_by(AuditEntry.id)
            )
        ).all()
        assert actions == ["broadcast.create", "broadcast.create", "broadcast.cancel", "broadcast.stop"]


async def test_only_the_recipients_own_copy_acknowledges_once(office: Database) -> None:
    hoa = await _actor(office, "Lê Thị Hoa")
    chau = await _actor(office, "Phạm Minh Châu")
    lan = await _actor(office, "Nguyễn Thị Lan")
    async with office.unit_of_work() as session:
        broadcast_id = (await broadcasts.create(session, actor=hoa, draft=_draft(TargetKind.ALL))).id
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.broadcast_id == broadcast_id)
            .values(status="sent", channel_message_id="77")
        )
    async with office.unit_of_work() as session:
        outsider = await broadcast_status.acknowledge(
            session, actor=lan, broadcast_id=broadcast_id, at=Address.telegram(302), message_id="77"
        )
        forwarded = await broadcast_status.acknowledge(
            session, actor=chau, broadcast_id=broadcast_id, at=Address.telegram(301), message_id="78"
        )
        first = await broadcast_status.acknowledge(
            session, actor=chau, broadcast_id=broadcast_id, at=Address.telegram(301), message_id="77"
        )
        second = await broadcast_status.acknowledge(
            session, actor=chau, broadcast_id=broadcast_id, at=Address.telegram(301), message_id="77"
        )
    assert outsider.outcome is forwarded.outcome is AckOutcome.NOT_RECIPIENT
    assert first.outcome is AckOutcome.RECORDED and second.outcome is AckOutcome.ALREADY
    assert second.acked_at == first.acked_at


def test_the_automatic_reminder_waits_two_working_days() -> None:
    calendar = WorkCalendar([], start=date(2026, 11, 1), end=date(2027, 1, 31))

    def due(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
        sent = datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ).astimezone(UTC)
        return auto_reminder_due(calendar, sent).replace(tzinfo=None)

    assert due(2026, 11, 25, 10, 0) == datetime(2026, 11, 27, 10, 0)  # Wednesday → Friday
    assert due(2026, 11, 27, 10, 0) == datetime(2026, 12, 1, 10, 0)  # Friday → Tuesday
    # Wednesday 30 December: Thursday counts, New Year's Day and the weekend do not → Monday 4 January.
    assert due(2026, 12, 30, 9, 30) == datetime(2027, 1, 4, 9, 30)
