"""The Zalo dialogs of daily practice: the self-check item by item and all at once (window, late, note), a
quiz round by letters, ĐÃ NHẬN counted once whichever channel confirms, and a head's report. Both engines."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, update

from compliance.broadcasts import sending
from compliance.broadcasts.sending import Draft, Target, TargetKind
from compliance.broadcasts.status import AckOutcome, acknowledge
from compliance.office.accounts import Address
from compliance.office.officials import actor_of
from handlers.messages import AttachmentKind
from storage.clock import local_today, utcnow
from storage.engine import Database
from storage.models import Channel, Official, OutboxMessage, Role
from storage.models_broadcast import BroadcastAck
from storage.models_practice import QuizAttempt, SelfCheck
from tests.test_zalo_dialogs import HOA, LAN, labels, office, say, texts

ITEMS = ("biet-1", "biet-2", "khong-1")


async def _self_check(database: Database, official_id: int, version_id: int, **fields: object) -> int:
    today = local_today()
    values: dict[str, object] = {
        "week": today - timedelta(days=today.weekday()),
        "answers": {},
        "status": "open",
        "deadline_at": utcnow() + timedelta(days=2),
        **fields,
    }
    async with database.unit_of_work() as session:
        check = SelfCheck(official_id=official_id, pledge_version_id=version_id, **values)
        session.add(check)
        await session.flush()
        return check.id


async def _check(database: Database, check_id: int) -> SelfCheck:
    async with database.unit_of_work() as session:
        check = await session.get(SelfCheck, check_id)
        assert check is not None
        return check


async def test_the_self_check_item_by_item_then_a_note(database: Database) -> None:
    people = await office(database)
    check_id = await _self_check(database, people.official, people.version_id)
    shown = await say(database, LAN, "Tự đánh giá")
    assert "Item 1 of 3" in texts(shown) and len(labels(shown[-1])) == 3
    assert "Only 1, 2 or 3" in texts(await say(database, LAN, "4"))
    assert (await _check(database, check_id)).answers == {}
    await say(database, LAN, "1")
    assert "Item 3 of 3" in texts(await say(database, LAN, "2"))
    done = await say(database, LAN, "3")
    assert "Completed" in texts(done) and "BO QUA" in texts(done)
    check = await _check(database, check_id)
    assert check.status == "done" and check.answers == dict(zip(ITEMS, ("yes", "partly", "no"), strict=True))
    assert "at most" in texts(await say(database, LAN, "x" * 501))
    assert "Note saved" in texts(await say(database, LAN, "Tuần này <b>tốt</b>"))
    assert (await _check(database, check_id)).note == "Tuần này <b>tốt</b>"


async def test_the_self_check_all_at_once_and_changed(database: Database) -> None:
    people = await office(database)
    check_id = await _self_check(database, people.official, people.version_id)
    await say(database, LAN, "tu danh gia")
    assert "only 3 items are left" in texts(await say(database, LAN, "1 1 1 1"))
    assert (await _check(database, check_id)).answers == {}
    done = await say(database, LAN, "1, 2 3")
    assert "BO QUA" in texts(done)
    assert "No note" in texts(await say(database, LAN, "bỏ qua"))
    await say(database, LAN, "TU DANH GIA")  # before the deadline, answers change
    await say(database, LAN, "3 3 3")
    check = await _check(database, check_id)
    assert check.answers == dict.fromkeys(ITEMS, "no") and check.status == "done"


async def test_the_self_check_outside_its_window(database: Database) -> None:
    people = await office(database)
    assert "no self-check open" in texts(await say(database, LAN, "tu danh gia"))
    closed = await _self_check(
        database, people.official, people.version_id, status="done", deadline_at=utcnow() - timedelta(hours=1)
    )
    refused = await say(database, LAN, "tu danh gia")
    assert "closed" in texts(refused) and not any(labels(reply) for reply in refused)
    assert "no question waiting" in texts(await say(database, LAN, "1"))
    assert (await _check(database, closed)).answers == {}


async def test_a_missed_self_check_completed_late(database: Database) -> None:
    people = await office(database)
    check_id = await _self_check(
        database,
        people.official,
        people.version_id,
        status="missed",
        deadline_at=utcnow() - timedelta(days=1),
    )
    await say(database, LAN, "tu danh gia")
    await say(database, LAN, "1 1 1")
    assert (await _check(database, check_id)).status == "late"


async def test_a_practice_quiz_round_by_letters(database: Database) -> None:
    people = await office(database)
    first = await say(database, LAN, "trắc nghiệm")
    assert "Question 1 of" in texts(first) and "A. " in texts(first)
    assert "Reply A" in texts(await say(database, LAN, "Z"))
    replies = first
    for _round in range(20):
        if "Practice round finished" in texts(replies):
            break
        replies = await say(database, LAN, "b")
        assert "Right answer" in texts(replies)
    assert "Practice round finished" in texts(replies)
    async with database.unit_of_work() as session:
        attempt = await session.scalar(select(QuizAttempt).where(QuizAttempt.official_id == people.official))
        assert attempt is not None and attempt.practice and attempt.finished_at is not None


async def test_the_weekly_round_offered_is_taken_first(database: Database) -> None:
    people = await office(database)
    today = local_today()
    monday = today - timedelta(days=today.weekday())
    async with database.unit_of_work() as session:
        session.add(
            OutboxMessage(
                official_id=people.official,
                kind="quiz",
                dedupe_key=f"quiz:{people.official}:{monday}",
                payload={"week": monday.isoformat()},
                channel=Channel.ZALO,
                address=LAN,
                status="sent",
            )
        )
    shown = await say(database, LAN, "trac nghiem")
    assert "Weekly quiz" in texts(shown)
    async with database.unit_of_work() as session:
        attempt = await session.scalar(select(QuizAttempt).where(QuizAttempt.official_id == people.official))
        assert (
            attempt is not None and not attempt.practice and attempt.week == date.fromisoformat(str(monday))
        )


async def _broadcast(database: Database, text: str) -> int:
    """An admin's plan update asking for confirmation, delivered (as the dispatcher records it) to all."""
    async with database.unit_of_work() as session:
        admin = await session.scalar(select(Official).where(Official.full_name == "Trần Văn Bình"))
        assert admin is not None
        admin.role = Role.ADMIN
        draft = Draft(text=text, target=Target(TargetKind.ALL), send_at=utcnow(), requires_ack=True)
        broadcast = await sending.create(session, actor=actor_of(admin), draft=draft)
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.broadcast_id == broadcast.id)
            .values(status="sent", sent_at=utcnow(), channel_message_id="77")
        )
        return broadcast.id


async def _acks(database: Database, broadcast_id: int) -> int:
    async with database.unit_of_work() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(BroadcastAck)
                .where(BroadcastAck.broadcast_id == broadcast_id)
            )
            or 0
        )


async def test_received_is_counted_once(database: Database) -> None:
    await office(database)
    older = await _broadcast(database, "Kế hoạch tháng 11")
    newer = await _broadcast(database, "Kế hoạch <b>tháng 12</b>")
    first = await say(database, LAN, "đã nhận")
    assert "Confirmed" in texts(first) and "tháng 12" in texts(first) and "1 more" in texts(first)
    assert await _acks(database, newer) == 1 and await _acks(database, older) == 0
    await say(database, LAN, "DA NHAN")
    assert await _acks(database, older) == 1
    assert "already confirmed every" in texts(await say(database, LAN, "da nhan"))
    assert await _acks(database, newer) == 1 and await _acks(database, older) == 1


async def test_received_after_the_chat_buttons_ack(database: Database) -> None:
    people = await office(database)
    broadcast_id = await _broadcast(database, "Kế hoạch")
    async with database.unit_of_work() as session:
        copy = (
            await session.execute(
                select(OutboxMessage.channel, OutboxMessage.address).where(
                    OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.official_id == people.official
                )
            )
        ).one()
        official = await session.get(Official, people.official)
        assert official is not None
        result = await acknowledge(
            session, actor=actor_of(official), broadcast_id=broadcast_id, at=Address(*copy), message_id="77"
        )
        assert result.outcome is AckOutcome.RECORDED
    assert "already confirmed every" in texts(await say(database, LAN, "da nhan"))
    assert await _acks(database, broadcast_id) == 1


async def test_a_heads_report_with_its_chart_and_link(database: Database) -> None:
    await office(database)
    replies = await say(database, HOA, "Báo cáo")
    photos = [reply for reply in replies if reply.attachment is not None]
    assert len(photos) == 1 and photos[0].attachment is not None
    assert (
        photos[0].attachment.kind is AttachmentKind.PHOTO
        and (photos[0].attachment.data or b"")[:4] == b"\x89PNG"
    )
    assert "/signin/" in texts(replies) and not any(labels(reply) for reply in replies)


async def test_cancel_mid_self_check_keeps_the_answers_given(database: Database) -> None:
    people = await office(database)
    check_id = await _self_check(database, people.official, people.version_id)
    await say(database, LAN, "tu danh gia")
    await say(database, LAN, "2")
    assert "answers you already gave are kept" in texts(await say(database, LAN, "huỷ"))
    assert (await _check(database, check_id)).answers == {"biet-1": "partly"}
    assert "no question waiting" in texts(await say(database, LAN, "1"))
