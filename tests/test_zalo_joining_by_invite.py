"""A unit's invite code on Zalo: the stranger types it (or pastes the link, or lets the keyboard capitalise
it), then the full name (NFD as a phone may send it); the head is asked through the outbox on Zalo with
"DUYET n" / "TU CHOI n" lines, lists requests with CHO DUYET and decides by keyword, through the same
audited decision as Telegram's buttons; the newcomer is told on Zalo. And DA DOC marks today's reminder
read. Both engines."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from compliance.office import joining
from compliance.office.accounts import ChannelUser, find_with_account
from compliance.office.officials import load_actor
from handlers.i18n import LOCAL_TZ, use_locale
from handlers.messages import plain_text
from handlers.views.outbox import RENDERERS
from handlers.zalo.dialogs.approvals import decision_of
from handlers.zalo.dialogs.invite import code_in
from handlers.zalo.outbox_choices import as_keywords
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Channel, JoinRequest, JoinRequestStatus, OutboxMessage, Unit
from storage.models_broadcast import AuditEntry
from storage.models_practice import DailyReminder
from tests.test_zalo_dialogs import HOA, LAN, office, say, texts

NEWCOMER, OTHER = "f00dcafe0001", "f00dcafe0002"


async def _invite(database: Database, *, max_uses: int = 50) -> str:
    async with database.unit_of_work() as session:
        head = await load_actor(
            session,
            user=ChannelUser(Channel.ZALO, HOA),
            display_name="Hoa",
            language_code=None,
            admin_ids=frozenset(),
            default_locale="en",
        )
        assert head is not None and head.unit_id is not None
        unit = await session.get(Unit, head.unit_id)
        assert unit is not None
        invite = await joining.create_invite(session, unit=unit, created_by=head, max_uses=max_uses)
        return invite.code


async def _outbox(database: Database, kind: str) -> list[OutboxMessage]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind))).all())


def _shown_on_zalo(row: OutboxMessage) -> str:
    with use_locale("en"):
        return plain_text(as_keywords(RENDERERS[row.kind](row.payload)).text)


def test_what_counts_as_an_invite_code_and_a_decision() -> None:
    assert code_in("https://t.me/camket_bot?start=Ab3_x-YZ9kLm") == "Ab3_x-YZ9kLm"
    assert code_in("  Ab3_x-YZ9kLm ") == "Ab3_x-YZ9kLm"
    assert code_in("xinchaoban") is None and code_in("Xin chào") is None and code_in("HK7M-4QXT") is None
    assert decision_of("duyet 12") == (True, 12) and decision_of("tu choi so 7") == (False, 7)
    assert (
        decision_of("duyet") is None and decision_of("duyet 1 2") is None and decision_of("duyetx 3") is None
    )


async def test_a_stranger_joins_by_invite_code_and_the_head_approves_on_zalo(database: Database) -> None:
    await office(database)
    code = await _invite(database)
    # The keyboard capitalised the first letter: found all the same (one invite matches without case).
    typed = code[0].swapcase() + code[1:] if code[0].isalpha() else code
    asked = texts(await say(database, NEWCOMER, typed, name="Mai 🌸"))
    assert "invited to join" in asked and "Văn phòng" in asked and "HUY" in asked
    assert "full name" in texts(await say(database, NEWCOMER, "Mai"))  # one word: not a full name
    nfd = unicodedata.normalize("NFD", "Võ Thị Ngọc Mai")
    assert "sent to your unit head" in texts(await say(database, NEWCOMER, nfd))
    assert "waiting for approval" in texts(await say(database, NEWCOMER, "xin chào"))

    [asking] = await _outbox(database, "join_request")
    assert asking.channel is Channel.ZALO and asking.address == HOA
    request_id = asking.payload["request_id"]
    assert asking.payload["full_name"] == "Võ Thị Ngọc Mai"  # NFC
    shown = _shown_on_zalo(asking)
    assert f"(type DUYET {request_id})" in shown and f"(type TU CHOI {request_id})" in shown
    assert "(Zalo: Mai 🌸)" in shown  # the name the head may know them by, on the app it is from

    listed = texts(await say(database, HOA, "chờ duyệt"))
    assert f"No. {request_id}: Võ Thị Ngọc Mai" in listed and f"DUYET {request_id}" in listed
    assert "not allowed" in texts(await say(database, LAN, f"duyet {request_id}"))  # an official
    assert "approved and has joined" in texts(await say(database, HOA, f"Duyệt {request_id}"))
    assert "already been handled" in texts(await say(database, HOA, f"tu choi {request_id}"))
    assert "No join requests" in texts(await say(database, HOA, "yeu cau"))

    async with database.unit_of_work() as session:
        found = await find_with_account(session, ChannelUser(Channel.ZALO, NEWCOMER))
        assert found is not None and found[0].full_name == "Võ Thị Ngọc Mai"
        audited = await session.scalar(
            select(AuditEntry).where(AuditEntry.subject == f"join_request:{request_id}")
        )
        assert audited is not None and audited.action == "join.approve"
    [told] = await _outbox(database, "join_approved")
    assert told.channel is Channel.ZALO and told.address == NEWCOMER
    # A member now: what follows joining (the privacy notice first, then the menu), not how to join.
    first = texts(await say(database, NEWCOMER, "toi"))
    assert "To join, send me" not in first and "invite code" not in first


async def test_rejection_withdrawal_and_wrong_codes(database: Database) -> None:
    await office(database)
    code = await _invite(database, max_uses=2)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")  # a digit: no other case to match
    assert "not valid" in texts(await say(database, OTHER, wrong))
    await say(database, OTHER, f"https://t.me/camket_bot?start={code}")
    assert "Cancelled" in texts(await say(database, OTHER, "Hủy"))
    assert "activation code" in texts(await say(database, OTHER, "Trần Văn Nam"))  # no request open now
    await say(database, OTHER, code)
    await say(database, OTHER, "Trần Văn Nam")
    [asking] = await _outbox(database, "join_request")
    request_id = asking.payload["request_id"]
    assert "was rejected" in texts(await say(database, HOA, f"TU CHOI {request_id}"))
    async with database.unit_of_work() as session:
        request = await session.get(JoinRequest, request_id)
        assert request is not None and request.status is JoinRequestStatus.REJECTED
        assert await find_with_account(session, ChannelUser(Channel.ZALO, OTHER)) is None
    [told] = await _outbox(database, "join_rejected")
    assert told.address == OTHER
    assert "used up" in texts(await say(database, NEWCOMER, code))  # two uses taken
    assert "not allowed" in texts(await say(database, HOA, "duyet 999999"))


async def test_da_doc_marks_todays_reminder_read(database: Database) -> None:
    ids = await office(database)
    assert "no pledge item" in texts(await say(database, LAN, "đã đọc"))
    today = utcnow().astimezone(LOCAL_TZ).date()
    async with database.unit_of_work() as session:
        session.add(DailyReminder(official_id=ids.official, day=today, kind="item", item_id="a1"))
    assert "Marked as read" in texts(await say(database, LAN, "ĐÃ ĐỌC"))
    assert "Already marked" in texts(await say(database, LAN, "da doc"))
    async with database.unit_of_work() as session:
        reminder = await session.scalar(
            select(DailyReminder).where(DailyReminder.official_id == ids.official)
        )
        assert reminder is not None and reminder.read_at is not None
    reminder_row = RENDERERS["reminder"](
        {"kind": "item", "en": "Be kind", "vi": "Tử tế", "number": 3, "day": str(today)}
    )
    with use_locale("en"):
        assert "(type DA DOC)" in plain_text(as_keywords(reminder_row).text)


async def test_a_head_gets_an_invite_code_on_zalo(database: Database) -> None:
    await office(database)
    assert "not allowed" in texts(await say(database, LAN, "mời"))  # an official
    given = texts(await say(database, HOA, "MOI"))
    found = re.search(r"Invite code for Văn phòng: (\S+)\n", given)
    assert found is not None and "DUYET" in given
    async with database.unit_of_work() as session:
        audited = await session.scalar(select(AuditEntry).where(AuditEntry.action == "invite.create"))
        assert audited is not None
    assert "invited to join" in texts(await say(database, NEWCOMER, found.group(1)))


async def test_wrong_invite_codes_share_the_activation_codes_limit(database: Database) -> None:
    """Guessing a unit's invite code costs the same wrong attempts as guessing an activation code: after
    five in an hour even the right invite code waits, and nothing is asked or requested meanwhile."""
    await office(database)
    code = await _invite(database)
    for attempt in range(5):
        wrong = f"Xq{attempt}{code[3:]}"  # mixed case and a digit: read as an invite code, matching none
        assert "not valid" in texts(await say(database, OTHER, wrong)), attempt
    refused = texts(await say(database, OTHER, code))
    assert "Too many wrong codes" in refused and "full name" not in refused
    assert "Too many wrong codes" in texts(await say(database, OTHER, "HK7M-4QXT"))  # an activation code too
    async with database.unit_of_work() as session:
        assert await joining.awaiting_name(session, ChannelUser(Channel.ZALO, OTHER)) is None
    # Someone else's attempts are theirs: the newcomer's right code still asks the name.
    assert "full name" in texts(await say(database, NEWCOMER, code))
