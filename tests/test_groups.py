"""Unit group chats in the domain: linked groups of a subtree, who may link and move a group, the audit
lines, and the weekly aggregate planned once per group and week, without names."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office import groups
from compliance.office.groups import GroupOutcome, LinkOutcome
from compliance.office.officials import Actor, actor_of
from compliance.office.units import UnitTree, get_unit_by_code
from compliance.reports.weekly import plan_weekly_summaries
from handlers.i18n import use_locale
from handlers.views.weekly import group_weekly
from storage.engine import Database
from storage.models import Official, OutboxMessage, Role, Unit
from storage.models_broadcast import AuditEntry
from tests.staff_files import OFFICE
from tests.test_reports import WEEK

NEXT_WEEK = WEEK + timedelta(days=7)


async def _actor(session: AsyncSession, name: str, *, role: Role | None = None) -> Actor:
    person = await session.scalar(select(Official).where(Official.full_name == name))
    assert person is not None
    if role is not None:
        person.role = role
    return actor_of(person)


async def _unit(session: AsyncSession, code: str) -> Unit:
    unit = await get_unit_by_code(session, code)
    assert unit is not None
    return unit


async def test_linked_groups_of_a_subtree(office: Database) -> None:
    async with office.unit_of_work() as session:
        tree = await UnitTree.load(session)
        team = await tree.ensure(["Sở GTVT", "Văn phòng", "Tổ văn thư"])
        so, vp = await _unit(session, "so-gtvt"), await _unit(session, "van-phong")
        qlvt = await _unit(session, "phong-quan-ly-van-tai")
        admin = await _actor(session, "Trần Văn Bình", role=Role.ADMIN)
        for chat_id, unit in ((-1, so), (-2, vp), (-3, team), (-4, qlvt)):
            result = await groups.link(session, actor=admin, chat_id=chat_id, title=unit.name, unit=unit)
            assert result.outcome is LinkOutcome.LINKED
        assert await groups.linked_groups(session, None) == [
            (-4, qlvt.id),
            (-3, team.id),
            (-2, vp.id),
            (-1, so.id),
        ]
        assert await groups.linked_groups(session, [vp.id]) == [(-3, team.id), (-2, vp.id)]
        assert await groups.linked_groups(session, [team.id, qlvt.id]) == [(-4, qlvt.id), (-3, team.id)]
        assert len(await groups.linked_groups(session, [so.id])) == 4
        assert await groups.linked_groups(session, []) == []


async def test_who_may_link_move_and_unlink(office: Database) -> None:
    async with office.unit_of_work() as session:
        vp, qlvt = await _unit(session, "van-phong"), await _unit(session, "phong-quan-ly-van-tai")
        hoa = await _actor(session, "Lê Thị Hoa")  # head of Văn phòng
        chau = await _actor(session, "Phạm Minh Châu")  # official of Văn phòng
        huy = await _actor(session, "Đỗ Quang Huy", role=Role.HEAD)  # now head of the sibling unit
        binh = await _actor(session, "Trần Văn Bình")  # head of the Sở, above both

        assert (await groups.link(session, actor=chau, chat_id=-7, title="VP", unit=vp)).outcome is (
            LinkOutcome.NOT_ALLOWED
        )
        assert (await groups.link(session, actor=hoa, chat_id=-7, title="VP", unit=qlvt)).outcome is (
            LinkOutcome.NOT_ALLOWED
        )
        assert (
            await groups.link(session, actor=hoa, chat_id=-7, title="VP", unit=vp)
        ).outcome is LinkOutcome.LINKED
        assert (await groups.link(session, actor=hoa, chat_id=-7, title="VP", unit=vp)).outcome is (
            LinkOutcome.ALREADY
        )
        assert await groups.set_weekly_summary(session, actor=hoa, chat_id=-7, on=True) is GroupOutcome.DONE
        assert (
            await groups.set_weekly_summary(session, actor=hoa, chat_id=-7, on=True) is GroupOutcome.UNCHANGED
        )
        # The sibling head can neither move it to her unit nor unlink it nor change its report.
        assert (await groups.link(session, actor=huy, chat_id=-7, title="VP", unit=qlvt)).outcome is (
            LinkOutcome.NOT_ALLOWED
        )
        assert await groups.unlink(session, actor=huy, chat_id=-7) is GroupOutcome.NOT_ALLOWED
        assert await groups.set_weekly_summary(session, actor=huy, chat_id=-7, on=False) is (
            GroupOutcome.NOT_ALLOWED
        )
        # The head above both may move it; the weekly report is off again until the new unit's head says so.
        moved = await groups.link(session, actor=binh, chat_id=-7, title="Phòng QLVT", unit=qlvt)
        assert moved.outcome is LinkOutcome.MOVED and moved.previous_unit_name == "Văn phòng"
        link = await groups.group_of(session, -7)
        assert link is not None and (link.unit_id, link.weekly_summary) == (qlvt.id, False)
        assert await groups.unlink(session, actor=huy, chat_id=-7) is GroupOutcome.DONE
        assert await groups.unlink(session, actor=huy, chat_id=-7) is GroupOutcome.NOT_LINKED
        assert await groups.group_of(session, -7) is None

        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
        lines = [(e.action, e.actor_label, e.before, e.after) for e in entries if e.subject == "group:-7"]
    assert lines == [
        ("group.link", "Lê Thị Hoa", None, {"unit_id": vp.id, "title": "VP", "weekly_summary": False}),
        ("group.weekly_summary", "Lê Thị Hoa", {"weekly_summary": False}, {"weekly_summary": True}),
        (
            "group.link",
            "Trần Văn Bình",
            {"unit_id": vp.id, "title": "VP", "weekly_summary": True},
            {"unit_id": qlvt.id, "title": "Phòng QLVT", "weekly_summary": False},
        ),
        (
            "group.unlink",
            "Đỗ Quang Huy",
            {"unit_id": qlvt.id, "title": "Phòng QLVT", "weekly_summary": False},
            None,
        ),
    ]


async def test_removal_and_upgrade_to_a_supergroup(office: Database) -> None:
    async with office.unit_of_work() as session:
        vp = await _unit(session, "van-phong")
        hoa = await _actor(session, "Lê Thị Hoa")
        await groups.link(session, actor=hoa, chat_id=-8, title="VP", unit=vp)
        assert await groups.move_chat(session, old_chat_id=-8, new_chat_id=-1008)
        assert await groups.group_of(session, -8) is None
        assert await groups.drop_on_removal(session, chat_id=-1008, removed_by=555)
        assert not await groups.drop_on_removal(session, chat_id=-1008)
        assert await groups.linked_groups(session, None) == []
        removed = await session.scalar(select(AuditEntry).where(AuditEntry.action == "group.bot_removed"))
        assert removed is not None and removed.actor_label == "telegram"
        assert removed.after == {"removed_by_telegram_id": 555}


async def test_the_weekly_aggregate_once_per_group_and_week_without_names(office: Database) -> None:
    async with office.unit_of_work() as session:
        vp, qlvt = await _unit(session, "van-phong"), await _unit(session, "phong-quan-ly-van-tai")
        admin = await _actor(session, "Trần Văn Bình", role=Role.ADMIN)
        await groups.link(session, actor=admin, chat_id=-21, title="VP", unit=vp)
        await groups.link(session, actor=admin, chat_id=-22, title="QLVT", unit=qlvt)  # stays off
        await groups.set_weekly_summary(session, actor=admin, chat_id=-21, on=True)
    for _ in range(2):  # the tick may run the week's planning again: nothing is planned twice
        async with office.unit_of_work() as session:
            await plan_weekly_summaries(session, week=NEXT_WEEK)
    async with office.unit_of_work() as session:
        rows = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "group_weekly"))
        ).all()
        assert [(int(r.address), r.official_id, r.dedupe_key) for r in rows] == [
            (-21, None, f"group_weekly:-21:{NEXT_WEEK.isoformat()}")
        ]
        payload = rows[0].payload
        await plan_weekly_summaries(session, week=NEXT_WEEK + timedelta(days=7))
        assert (
            len((await session.scalars(select(OutboxMessage).where(OutboxMessage.address == "-21"))).all())
            == 2
        )
    # Văn phòng: Hoa (signed, self-check on time, quiz) and Châu (not signed, late, no weekly quiz).
    keys = ("unit", "on_list", "joined", "signed", "signed_rate", "checks_done", "check_slots")
    assert {k: payload[k] for k in (*keys, "on_time", "late", "missed")} == {
        "unit": "Văn phòng",
        "on_list": 2,
        "joined": 2,
        "signed": 1,
        "checks_done": 2,
        "check_slots": 2,
        "signed_rate": 0.5,
        "on_time": 1,
        "late": 1,
        "missed": 0,
    }
    assert payload["quiz_rate"] == 0.5 and payload["read_rate"] == 1.0
    assert "lapses" not in payload
    for locale in ("vi", "en"):
        with use_locale(locale):
            message = group_weekly(payload)
        text = message.text
        assert message.choices == () and "Văn phòng" in text and "50" in text
        assert not any(str(row[0]) in text for row in OFFICE)
