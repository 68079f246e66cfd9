"""Zalo group chats against the fake Zalo server, through the channel: ZALO_GROUPS off ignores groups; on, a
head's private LIEN KET NHOM gives a one-time code, the code sent in the group from the head's account links
it (a wrong, a used, an expired code and a non-head's try do not), HUY LIEN KET unlinks, both audited; the
weekly post reaches a linked group with the same figures as Telegram's group post. Both engines."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.zalo_channel import ZaloChannel
from compliance.office import activation, setup, zalo_groups
from compliance.office import groups as telegram_groups
from compliance.office.accounts import ChannelUser, link
from compliance.office.officials import Actor, actor_of
from compliance.office.units import get_unit_by_code
from compliance.reports.weekly import plan_weekly_summaries
from handlers.i18n import use_locale
from handlers.messages import plain_text
from handlers.views.weekly import group_weekly
from handlers.zalo import groups as groups_handler
from handlers.zalo.client import ZaloClient
from handlers.zalo.delivery import ZaloPace
from handlers.zalo.dialogs.base import fold
from handlers.zalo.render import ZaloText, render
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Channel, Official, OutboxMessage, Unit
from storage.models_broadcast import AuditEntry
from storage.models_zalo import ActivationAttempt, ZaloGroup, ZaloGroupCode
from tests.fakes.zalo import FakeZalo
from tests.test_reports import WEEK
from tests.waiting import eventually

HOA, LAN = "a1b2c3d4e5f6a0f1", "a1b2c3d4e5f6a0f2"  # Hoa heads Văn phòng; Lan is an official
GROUP, OTHER_GROUP = "9e8d7c6b5a4f3e2d", "9e8d7c6b5a4f3e2e"
NEXT_WEEK = WEEK + timedelta(days=7)
_CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


async def _on_zalo(office: Database) -> None:
    async with office.unit_of_work() as session:
        for name, zalo_id in (("Lê Thị Hoa", HOA), ("Nguyễn Thị Lan", LAN)):
            person = await session.scalar(select(Official).where(Official.full_name == name))
            assert person is not None
            await link(session, person, ChannelUser(Channel.ZALO, zalo_id))


def channel_for(fake: FakeZalo, database: Database, *, groups: bool) -> ZaloChannel:
    return ZaloChannel(
        ZaloClient(fake.url, fake.token),
        database,
        default_locale="en",
        public_url="http://127.0.0.1:8080",
        rate_limit=50,
        poll_seconds=2,
        pace=ZaloPace(50, per_chat_seconds=0),
        groups=groups,
    )


class Talk:
    """The channel running against the fake: each message waits until the channel has handled it."""

    def __init__(self, fake: FakeZalo, channel: ZaloChannel) -> None:
        self.fake, self.channel, self.count = fake, channel, 0

    async def private(self, user: str, text: str) -> list[str]:
        before = len(self.fake.texts(user))
        await self.fake.inject(user, text)
        await self._handled()
        return self.fake.texts(user)[before:]

    async def group(self, user: str, text: str, *, chat: str = GROUP, mention: bool = True) -> list[str]:
        before = len(self.fake.texts(chat))
        await self.fake.say_in_group(chat, user, text, mention=mention, reply=not mention)
        await self._handled()
        return self.fake.texts(chat)[before:]

    async def _handled(self) -> None:
        self.count += 1
        await self.channel.wait_handled(self.count)


async def _count(database: Database, model: type[object]) -> int:
    async with database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _audit(database: Database, action: str) -> list[AuditEntry]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(AuditEntry).where(AuditEntry.action == action))).all())


async def test_with_zalo_groups_off_group_messages_are_ignored(fake: FakeZalo, office: Database) -> None:
    await _on_zalo(office)
    async with office.unit_of_work() as session:
        hoa = await session.scalar(select(Official).where(Official.full_name == "Lê Thị Hoa"))
        vp = await get_unit_by_code(session, "van-phong")
        assert hoa is not None and vp is not None
        code = await zalo_groups.issue_code(session, actor=actor_of(hoa), unit=vp, now=utcnow())
    assert code is not None
    channel = channel_for(fake, office, groups=False)
    await channel.start()
    try:
        assert "group" not in channel.description
        talk = Talk(fake, channel)
        assert await talk.group(HOA, code) == []
        assert await talk.group(HOA, "huy lien ket") == []
        assert await talk.group(LAN, "xin chào") == []
        # Privately, LIEN KET NHOM is not a keyword: the menu, and no code.
        answer = await talk.private(HOA, "lien ket nhom")
        assert answer and not any(_CODE.search(text) for text in answer)
    finally:
        await channel.stop()
    assert fake.texts(GROUP) == []
    assert await _count(office, ZaloGroup) == 0 and await _count(office, ZaloGroupCode) == 1


async def test_with_zalo_groups_off_linked_groups_are_named_at_start(
    fake: FakeZalo, office: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Groups linked while ZALO_GROUPS was on stay linked when it is turned off: the log says so at start
    (and how to unlink them), and their weekly rows, still planned, are marked failed without a send; with
    no linked group the log says nothing."""
    for linked in (False, True):
        if linked:
            async with office.unit_of_work() as session:
                vp = await get_unit_by_code(session, "van-phong")
                assert vp is not None
                session.add(ZaloGroup(chat_id=GROUP, unit_id=vp.id))
        caplog.clear()
        channel = channel_for(fake, office, groups=False)
        with caplog.at_level(logging.WARNING, logger="bot.zalo"):
            await channel.start()
        await channel.stop()
        warned = [r.getMessage() for r in caplog.records if "ZALO_GROUPS is off" in r.getMessage()]
        assert warned == (
            [
                "zalo: ZALO_GROUPS is off but 1 Zalo group(s) are linked: their weekly figures are not "
                "posted; to unlink them, turn ZALO_GROUPS on and send HUY LIEN KET in each group"
            ]
            if linked
            else []
        )
    async with office.unit_of_work() as session:
        await plan_weekly_summaries(session, week=NEXT_WEEK)
        (row_id,) = (
            await session.scalars(
                select(OutboxMessage.id).where(
                    OutboxMessage.kind == "group_weekly", OutboxMessage.channel == Channel.ZALO
                )
            )
        ).all()
    channel = channel_for(fake, office, groups=False)
    await channel.start()
    try:

        async def settled() -> bool:
            async with office.unit_of_work() as session:
                row = await session.get(OutboxMessage, row_id)
                return row is not None and row.status != "pending"

        await eventually(settled)
    finally:
        await channel.stop()
    async with office.unit_of_work() as session:
        row = await session.get(OutboxMessage, row_id)
        assert row is not None and row.status == "failed" and "ZALO_GROUPS is off" in (row.last_error or "")
    assert fake.texts(GROUP) == []


async def test_a_head_links_the_group_with_a_code_and_unlinks_it(fake: FakeZalo, office: Database) -> None:
    await _on_zalo(office)
    channel = channel_for(fake, office, groups=True)
    await channel.start()
    try:
        assert "group chats too (ZALO_GROUPS)" in channel.description
        talk = Talk(fake, channel)
        # A group not linked yet: a mention gets how to link it.
        assert "LIEN KET NHOM" in (await talk.group(LAN, "bot ơi"))[0]
        # An official who is no head gets no code.
        assert "Only a unit's head" in (await talk.private(LAN, "Liên kết nhóm"))[0]
        (given,) = await talk.private(HOA, "LIÊN KẾT NHÓM")
        found = _CODE.search(given)
        assert found is not None and "Văn phòng" in given
        code = found.group(1)
        assert await _count(office, ZaloGroupCode) == 1

        # A wrong code; the real one from someone else; then from the head, in lower case with a space.
        assert "not a valid group link code" in (await talk.group(HOA, "CFHJ-KMNP"))[0]
        assert "Only the person who asked" in (await talk.group(LAN, code))[0]
        assert await _count(office, ZaloGroup) == 0
        linked = await talk.group(HOA, code.lower().replace("-", " "))
        assert "now linked to Văn phòng" in linked[0] and "never names" in linked[0]
        # Used once: it does not link another group.
        assert "expired or was used" in (await talk.group(HOA, code, chat=OTHER_GROUP))[0]
        # Linked: people's chatter and replies to the bot get no answer.
        assert await talk.group(LAN, "cảm ơn") == []
        assert await talk.group(LAN, "ok", mention=False) == []

        # Unlinking: refused to Lan, done for Hoa.
        assert "Only the head of the linked unit" in (await talk.group(LAN, "Hủy liên kết"))[0]
        assert "no longer linked to Văn phòng" in (await talk.group(HOA, "Hủy liên kết"))[0]
        assert "not linked to a unit" in (await talk.group(HOA, "huy lien ket"))[0]
    finally:
        await channel.stop()
    assert await _count(office, ZaloGroup) == 0
    assert await _count(office, ActivationAttempt) == 1  # the wrong code counts against Hoa's allowance
    (linked_entry,) = await _audit(office, "group.link")
    assert linked_entry.subject == f"zalo_group:{GROUP}" and linked_entry.actor_label == "Lê Thị Hoa"
    assert linked_entry.after is not None and linked_entry.after["channel"] == "zalo"
    (unlinked_entry,) = await _audit(office, "group.unlink")
    assert unlinked_entry.subject == f"zalo_group:{GROUP}"
    assert len(await _audit(office, "group.link_code")) == 1
    # Nothing said in the groups named a person.
    for text in fake.texts(GROUP) + fake.texts(OTHER_GROUP):
        assert "Hoa" not in text and "Lan" not in text


async def test_codes_expire_stop_when_replaced_and_wrong_ones_are_limited(office: Database) -> None:
    async with office.unit_of_work() as session:
        hoa = await session.scalar(select(Official).where(Official.full_name == "Lê Thị Hoa"))
        lan = await session.scalar(select(Official).where(Official.full_name == "Nguyễn Thị Lan"))
        vp = await get_unit_by_code(session, "van-phong")
        so = await get_unit_by_code(session, "so-gtvt")
        assert hoa is not None and lan is not None and vp is not None and so is not None
        head, official = actor_of(hoa), actor_of(lan)
        now = utcnow()
        assert await zalo_groups.issue_code(session, actor=official, unit=vp, now=now) is None
        assert await zalo_groups.issue_code(session, actor=head, unit=so, now=now) is None  # above her unit
        first = await zalo_groups.issue_code(session, actor=head, unit=vp, now=now)
        second = await zalo_groups.issue_code(session, actor=head, unit=vp, now=now)
        assert first is not None and second is not None and first != second
        later = now + zalo_groups.CODE_LIFETIME + timedelta(seconds=1)

        async def send(code: str, at: datetime) -> zalo_groups.LinkOutcome:
            result = await zalo_groups.link_with_code(
                session, actor=head, sender_id=HOA, chat_id=GROUP, code=code.replace("-", ""), now=at
            )
            return result.outcome

        assert await send(first, now) is zalo_groups.LinkOutcome.WRONG  # replaced by the second
        assert await send(second, later) is zalo_groups.LinkOutcome.EXPIRED
        for _ in range(activation.WRONG_LIMIT - 1):
            assert await send("CFHJKMNP", now) is zalo_groups.LinkOutcome.WRONG
        waiting = await zalo_groups.link_with_code(
            session, actor=head, sender_id=HOA, chat_id=GROUP, code="CFHJKMNP", now=now
        )
        assert waiting.outcome is zalo_groups.LinkOutcome.WAIT and waiting.retry_at is not None
        assert await session.scalar(select(func.count()).select_from(ZaloGroup)) == 0


def test_the_code_is_found_beside_the_mention() -> None:
    find = zalo_groups.find_code
    assert find("@Cam Kết Bot CFHJ-KMNP") == "CFHJKMNP"
    assert find("@Cam Kết Bot cfhj kmnp") == "CFHJKMNP"
    assert find("cfhjkmnp") == "CFHJKMNP"
    assert find("@Cam Kết Bot huy lien ket") is None
    assert find("CFHJ-KMNPQ") is None and find("XCFHJKMNP") is None  # part of something longer
    assert find("@Cam Kết Bot bot ơi, báo cáo tuần này thế nào?") is None
    # A keyboard's accents on a code, and NFD text, as some phones send it.
    assert find(unicodedata.normalize("NFD", "@Cam Kết Bot cfhj-kmnp")) == "CFHJKMNP"
    assert groups_handler.asks_for_code(fold(unicodedata.normalize("NFD", "Liên kết nhóm VAN-PHONG")))
    assert not groups_handler.asks_for_code(fold("liên kết"))
    assert not groups_handler.asks_for_code("lien ket nhoms")


async def test_the_weekly_post_reaches_the_group_with_telegrams_figures(
    fake: FakeZalo, office: Database
) -> None:
    await _on_zalo(office)
    async with office.unit_of_work() as session:
        hoa = await session.scalar(select(Official).where(Official.full_name == "Lê Thị Hoa"))
        vp = await get_unit_by_code(session, "van-phong")
        assert hoa is not None and vp is not None
        head = actor_of(hoa)
        # The same unit's Telegram group, its weekly aggregate turned on.
        await telegram_groups.link(session, actor=head, chat_id=-51, title="VP", unit=vp)
        await telegram_groups.set_weekly_summary(session, actor=head, chat_id=-51, on=True)
        for chat in (GROUP, OTHER_GROUP):  # the bot was removed from the other group since
            code = await zalo_groups.issue_code(session, actor=head, unit=vp, now=utcnow())
            assert code is not None
            result = await zalo_groups.link_with_code(
                session, actor=head, sender_id=HOA, chat_id=chat, code=code.replace("-", ""), now=utcnow()
            )
            assert result.outcome is zalo_groups.LinkOutcome.LINKED
    for _ in range(2):  # planned once per group and week however often the tick runs
        async with office.unit_of_work() as session:
            await plan_weekly_summaries(session, week=NEXT_WEEK)
    async with office.unit_of_work() as session:
        rows = {
            row.address: row
            for row in (
                await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "group_weekly"))
            ).all()
        }
    assert set(rows) == {"-51", GROUP, OTHER_GROUP}
    zalo_row, telegram_row, removed_row = rows[GROUP], rows["-51"], rows[OTHER_GROUP]
    assert (zalo_row.channel, removed_row.channel, telegram_row.channel) == (
        Channel.ZALO,
        Channel.ZALO,
        Channel.TELEGRAM,
    )
    assert zalo_row.address == GROUP and zalo_row.official_id is None
    assert zalo_row.payload == telegram_row.payload
    assert zalo_row.payload["unit"] == "Văn phòng" and zalo_row.payload["on_list"] == 2

    fake.blocked.add(OTHER_GROUP)  # Zalo refuses a send to a group the bot is no longer in (our guess: 403)
    channel = channel_for(fake, office, groups=True)
    await channel.start()
    try:
        await fake.wait_for(lambda: bool(fake.texts(GROUP)))

        async def both_done() -> bool:
            async with office.unit_of_work() as session:
                statuses = await session.scalars(
                    select(OutboxMessage.status).where(OutboxMessage.id.in_([zalo_row.id, removed_row.id]))
                )
                return set(statuses.all()) <= {"sent", "failed"}

        await eventually(both_done)
    finally:
        await channel.stop()
    (posted,) = fake.texts(GROUP)
    with use_locale("en"):
        telegram_post = group_weekly(telegram_row.payload)
        expected = [send.text for send in render(telegram_post) if isinstance(send, ZaloText)]
    assert [posted] == expected
    assert plain_text(telegram_post.text) == posted  # Telegram's post, without its bold
    assert "Last week in Văn phòng" in posted and "Signed the current pledge: 1/2 (50%)" in posted
    async with office.unit_of_work() as session:
        sent = await session.get(OutboxMessage, zalo_row.id)
        assert sent is not None and sent.status == "sent"
        refused = await session.get(OutboxMessage, removed_row.id)
        # A group is nobody's account to mark unreachable: its row fails, visibly, and the link stays.
        assert refused is not None and refused.status == "failed" and "403" in (refused.last_error or "")


async def test_a_linked_zalo_group_completes_the_setup_checklists_groups_step(office: Database) -> None:
    async with office.unit_of_work() as session:
        before = {state.step: state for state in (await setup.checklist(session)).steps}[setup.Step.GROUPS]
        vp = await get_unit_by_code(session, "van-phong")
        assert vp is not None
        session.add(ZaloGroup(chat_id=GROUP, unit_id=vp.id))
        await session.flush()
        after = {state.step: state for state in (await setup.checklist(session)).steps}[setup.Step.GROUPS]
    assert (before.done, before.count) == (False, 0)
    assert (after.done, after.count) == (True, 1)


async def test_a_group_moves_only_for_a_head_of_both_units(office: Database) -> None:
    """Bình heads the Sở (above both units), Hoa only Văn phòng: she cannot take over a group linked to
    Phòng Quản lý vận tải, he can move it; her code stays usable for a group of her own."""
    async with office.unit_of_work() as session:
        people = {p.full_name: actor_of(p) for p in (await session.scalars(select(Official))).all()}
        binh, hoa = people["Trần Văn Bình"], people["Lê Thị Hoa"]
        vp = await get_unit_by_code(session, "van-phong")
        qlvt = await get_unit_by_code(session, "phong-quan-ly-van-tai")
        assert vp is not None and qlvt is not None
        now = utcnow()

        async def send(actor: Actor, unit: Unit, chat: str = GROUP) -> zalo_groups.LinkResult:
            code = await zalo_groups.issue_code(session, actor=actor, unit=unit, now=now)
            assert code is not None
            return await zalo_groups.link_with_code(
                session, actor=actor, sender_id="x", chat_id=chat, code=code.replace("-", ""), now=now
            )

        assert (await send(binh, qlvt)).outcome is zalo_groups.LinkOutcome.LINKED
        code = await zalo_groups.issue_code(session, actor=hoa, unit=vp, now=now)
        assert code is not None
        taken = await zalo_groups.link_with_code(
            session, actor=hoa, sender_id="y", chat_id=GROUP, code=code.replace("-", ""), now=now
        )
        assert taken.outcome is zalo_groups.LinkOutcome.TAKEN
        again = await zalo_groups.link_with_code(
            session, actor=hoa, sender_id="y", chat_id=OTHER_GROUP, code=code.replace("-", ""), now=now
        )
        assert again.outcome is zalo_groups.LinkOutcome.LINKED
        moved = await send(binh, vp)
        assert moved.outcome is zalo_groups.LinkOutcome.MOVED
        assert moved.previous_unit_name == "Phòng Quản lý vận tải"
        linked = await zalo_groups.group_of(session, GROUP)
        assert linked == zalo_groups.LinkedGroup(GROUP, vp.id, "Văn phòng")
        entries = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "group.link").order_by(AuditEntry.id)
            )
        ).all()
        assert [(e.subject, e.before) for e in entries] == [
            (f"zalo_group:{GROUP}", None),
            (f"zalo_group:{OTHER_GROUP}", None),
            (f"zalo_group:{GROUP}", {"channel": "zalo", "unit_id": qlvt.id}),
        ]
