"""Merging units (the 2025 mergers), renames kept in history, and unit kinds as data, on both engines."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office import unit_admin, unit_listing, unit_merge
from compliance.office.staff_import import import_staff
from compliance.office.unit_admin import Refusal
from compliance.office.units import get_unit_by_code
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Invite, JoinRequest, JoinRequestStatus, Official, Role, Unit
from storage.models_broadcast import AuditEntry, UnitGroup
from storage.models_unit_history import UnitMerge
from storage.models_zalo import ZaloGroup
from tests.staff_files import OFFICE, xlsx_bytes
from tests.test_unit_admin import admin_actor, office, refusal, units_by_code  # noqa: F401 - the fixture

SOURCE = "phong-quan-ly-van-tai"


async def _unit(session: AsyncSession, code: str) -> Unit:
    unit = await get_unit_by_code(session, code)
    assert unit is not None
    return unit


async def _people(session: AsyncSession) -> dict[str, Official]:
    return {o.full_name: o for o in (await session.scalars(select(Official))).all()}


async def _with_group_invite_and_request(session: AsyncSession, unit: Unit) -> None:
    session.add(UnitGroup(chat_id=-1001, unit_id=unit.id, title="Nhóm phòng"))
    session.add(ZaloGroup(chat_id="zg-1", unit_id=unit.id))
    now = utcnow()
    live = Invite(code="live", unit_id=unit.id, expires_at=now + timedelta(days=7), max_uses=5)
    revoked = Invite(code="gone", unit_id=unit.id, expires_at=now, max_uses=1, revoked=True)
    session.add_all([live, revoked])
    await session.flush()
    session.add(
        JoinRequest(
            invite_id=live.id,
            unit_id=unit.id,
            channel="telegram",
            external_id="77",
            display_name="Khách",
            status=JoinRequestStatus.PENDING,
        )
    )
    await session.flush()


async def test_a_merge_moves_people_units_groups_and_invites_and_keeps_the_history(
    office: Database,  # noqa: F811
) -> None:
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        await unit_admin.add_unit(session, actor=admin, parent_code=SOURCE, code="to-a", name="Tổ A")
        await unit_admin.add_unit(session, actor=admin, parent_code="to-a", code="to-b", name="Tổ B")
        await unit_admin.set_head(session, actor=admin, code=SOURCE, phone="0912-000-005")
        await _with_group_invite_and_request(session, await _unit(session, SOURCE))
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        plan = await unit_merge.plan_merge(session, actor=admin, source_code=SOURCE, target_code="van-phong")
        counts = (plan.officials, plan.heads, plan.units, plan.groups, plan.invites, plan.join_requests)
        assert counts == (2, 1, 1, 2, 1, 1)  # a Telegram and a Zalo group; the revoked invite stays
        assert plan.heads_stay_heads is False  # Văn phòng has its head, Lê Thị Hoa
        audits_before = await session.scalar(select(func.count()).select_from(AuditEntry))
        done = await unit_merge.merge_units(session, actor=admin, source_code=SOURCE, target_code="van-phong")
        assert done == plan
    async with office.unit_of_work() as session:
        units = {u.code: u for u in (await session.scalars(select(Unit))).all()}
        source, target = units[SOURCE], units["van-phong"]
        people = await _people(session)
        assert people["Nguyễn Thị Lan"].unit_id == people["Đỗ Quang Huy"].unit_id == target.id
        assert people["Đỗ Quang Huy"].role is Role.OFFICIAL  # the target had a head
        assert people["Lê Thị Hoa"].role is Role.HEAD
        assert (
            units["to-a"].parent_id == target.id and units["to-a"].path == f"{target.path}{units['to-a'].id}/"
        )
        assert units["to-b"].path == f"{units['to-a'].path}{units['to-b'].id}/" and units["to-b"].depth == 3
        assert source.merged_into_id == target.id and source.name == "Phòng Quản lý vận tải"
        groups = [
            *(await session.scalars(select(UnitGroup.unit_id))).all(),
            *(await session.scalars(select(ZaloGroup.unit_id))).all(),
        ]
        invites = dict((await session.execute(select(Invite.code, Invite.unit_id))).all())
        requests = (await session.scalars(select(JoinRequest.unit_id))).all()
        assert groups == [target.id, target.id] and list(requests) == [target.id]
        assert invites == {"live": target.id, "gone": source.id}  # a revoked invite stays where it was
        history = (await session.scalars(select(UnitMerge))).one()
        admin = await admin_actor(session)
        assert (history.source_id, history.source_name, history.target_id, history.merged_by_id) == (
            source.id,
            "Phòng Quản lý vận tải",
            target.id,
            admin.id,
        )
        assert history.moved["officials"] == 2
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "unit.merge"))).all()
        assert len(entries) == 1 and entries[0].subject == f"unit:{source.id}"
        assert entries[0].after is not None and entries[0].after["heads_demoted"] == [
            {"id": people["Đỗ Quang Huy"].id, "name": "Đỗ Quang Huy"}
        ]
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == (audits_before or 0) + 1
        # Out of the lists, found by its old name, and its name is free for a new unit at that place.
        top = await unit_listing.browse(session, actor=admin, unit_id=units["so-gtvt"].id)
        assert top is not None and [c.code for c in top.children] == ["van-phong"]
        found = await unit_merge.find_past_names(session, "quan ly VẬN tải")
        assert [(p.name, p.merged, p.now_id) for p in found] == []  # the search keeps the diacritics
        found = await unit_merge.find_past_names(session, "quản lý VẬN tải")
        assert [(p.name, p.merged, p.now_id, p.now_name) for p in found] == [
            ("Phòng Quản lý vận tải", True, target.id, "Văn phòng")
        ]
        merged_in = await unit_merge.merged_into(session, target)
        assert [(m.name, m.officials) for m in merged_in] == [("Phòng Quản lý vận tải", 2)]
        again = await unit_admin.add_unit(
            session, actor=admin, parent_code="so-gtvt", code="qlvt-moi", name="Phòng Quản lý vận tải"
        )
        assert again.name == "Phòng Quản lý vận tải"


async def test_the_sources_heads_stay_heads_when_the_target_has_none(office: Database) -> None:  # noqa: F811
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        plan = await unit_merge.merge_units(session, actor=admin, source_code="van-phong", target_code=SOURCE)
        assert plan.heads_stay_heads and plan.heads == 1
    async with office.unit_of_work() as session:
        people = await _people(session)
        target = await _unit(session, SOURCE)
    assert people["Lê Thị Hoa"].role is Role.HEAD and people["Lê Thị Hoa"].unit_id == target.id


async def test_bad_merges_are_refused_and_change_nothing(office: Database) -> None:  # noqa: F811
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        await unit_admin.add_unit(session, actor=admin, parent_code=SOURCE, code="to-1", name="Tổ Một cửa")
        await unit_admin.add_unit(
            session, actor=admin, parent_code="van-phong", code="to-2", name="Tổ một cửa"
        )
        await unit_admin.add_unit(session, actor=admin, parent_code="so-gtvt", code="le", name="Phòng Lẻ")
    before = {
        code: (u.parent_id, u.path, u.merged_into_id) for code, u in (await units_by_code(office)).items()
    }
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        audits = await session.scalar(select(func.count()).select_from(AuditEntry))
        merge = unit_merge.merge_units
        assert (
            await refusal(merge(session, actor=admin, source_code="le", target_code="le"))
            is Refusal.INTO_ITSELF
        )
        assert await refusal(merge(session, actor=admin, source_code="so-gtvt", target_code="to-1")) is (
            Refusal.INTO_DESCENDANT
        )
        # Both have a "Tổ Một cửa" (case aside): the sub-units could not stand side by side.
        assert await refusal(merge(session, actor=admin, source_code=SOURCE, target_code="van-phong")) is (
            Refusal.NAME_TAKEN
        )
        assert await refusal(merge(session, actor=admin, source_code="nope", target_code="le")) is (
            Refusal.UNIT_NOT_FOUND
        )
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == audits
    assert {
        code: (u.parent_id, u.path, u.merged_into_id) for code, u in (await units_by_code(office)).items()
    } == (before)
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        await unit_merge.merge_units(session, actor=admin, source_code="le", target_code="van-phong")
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        merge = unit_merge.merge_units
        assert (
            await refusal(merge(session, actor=admin, source_code="le", target_code=SOURCE)) is Refusal.MERGED
        )
        assert (
            await refusal(merge(session, actor=admin, source_code=SOURCE, target_code="le")) is Refusal.MERGED
        )
        # A merged unit takes no other change either.
        assert (
            await refusal(unit_admin.rename_unit(session, actor=admin, code="le", name="Lẻ 2"))
            is Refusal.MERGED
        )
        assert await refusal(
            unit_admin.add_unit(session, actor=admin, parent_code="le", code="to-9", name="Tổ 9")
        ) is (Refusal.MERGED)
        assert await session.scalar(select(func.count()).select_from(UnitMerge)) == 1
        # Typed codes (invites, group links, schedules, exports) no longer reach it; unit_admin still does.
        assert await get_unit_by_code(session, "le") is None
        merged_row = await get_unit_by_code(session, "le", merged=True)
        assert merged_row is not None and merged_row.merged_into_id is not None
        assert await refusal(
            unit_admin.add_unit(session, actor=admin, parent_code=None, code="le", name="Lẻ mới")
        ) is (Refusal.CODE_TAKEN)


async def test_an_old_staff_list_puts_people_where_their_merged_unit_went(office: Database) -> None:  # noqa: F811
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        await unit_merge.merge_units(session, actor=admin, source_code=SOURCE, target_code="van-phong")
    newcomer = ["Hồ Thị Mai", "Chuyên viên", "Sở GTVT / Phòng Quản lý vận tải", "0912 000 031", "", "cán bộ"]
    async with office.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes([*OFFICE, newcomer]))
    async with office.unit_of_work() as session:
        people = await _people(session)
        target = await _unit(session, "van-phong")
        units = await session.scalar(select(func.count()).select_from(Unit))
    assert people["Hồ Thị Mai"].unit_id == people["Nguyễn Thị Lan"].unit_id == target.id
    assert units == 3  # no new unit was made for the old name


async def test_a_rename_keeps_the_old_name_and_kinds_are_free_text(office: Database) -> None:  # noqa: F811
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        await unit_admin.rename_unit(session, actor=admin, code="van-phong", name="Văn phòng Sở")
        await unit_admin.set_kind(session, actor=admin, code="van-phong", kind="  Văn   phòng ")
        added = await unit_admin.add_unit(
            session, actor=admin, parent_code="so-gtvt", code="tt", name="Trung tâm Phục vụ", kind="Trung tâm"
        )
        assert await refusal(unit_admin.set_kind(session, actor=admin, code="tt", kind="Trung tâm")) is (
            Refusal.UNCHANGED
        )
        assert await refusal(unit_admin.set_kind(session, actor=admin, code="tt", kind="x" * 61)) is (
            Refusal.BAD_KIND
        )
        found = await unit_merge.find_past_names(session, "văn phòng")
        assert [(p.name, p.merged, p.now_name) for p in found] == [("Văn phòng", False, "Văn phòng Sở")]
    units = await units_by_code(office)
    assert (units["van-phong"].kind, units[added.code].kind, units["so-gtvt"].kind) == (
        "Văn phòng",
        "Trung tâm",
        None,
    )
    async with office.unit_of_work() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "unit.kind"))
    assert entry is not None and entry.after == {"unit_kind": "Văn phòng"}
