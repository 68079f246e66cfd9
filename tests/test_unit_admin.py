"""Changing the units tree (add, rename, move, set a head) and the counts /units shows, on both engines."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import select

from compliance.office import unit_admin, unit_listing
from compliance.office.accounts import ChannelUser
from compliance.office.officials import Actor, load_actor
from compliance.office.staff_import import import_staff
from compliance.office.unit_admin import Refusal, UnitAdminError
from compliance.office.units import get_unit_by_code
from storage.engine import Database
from storage.models import Official, Role, Unit
from storage.models_broadcast import AuditEntry
from tests.factories import link_telegram
from tests.staff_files import OFFICE, xlsx_bytes

ADMIN_TG = 9


@pytest.fixture
async def office(database: Database) -> Database:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
    return database


async def admin_actor(session: object) -> Actor:
    actor = await load_actor(
        session,  # type: ignore[arg-type]
        user=ChannelUser.telegram(ADMIN_TG),
        display_name="Quản trị",
        language_code="vi",
        admin_ids=frozenset({ADMIN_TG}),
        default_locale="vi",
    )
    assert actor is not None and actor.is_admin
    return actor


async def units_by_code(database: Database) -> dict[str, Unit]:
    async with database.unit_of_work() as session:
        return {u.code: u for u in (await session.scalars(select(Unit))).all()}


async def refusal(coro: object) -> Refusal:
    with pytest.raises(UnitAdminError) as caught:
        await coro  # type: ignore[misc]
    return caught.value.reason


async def test_add_and_rename_with_every_refusal(office: Database) -> None:
    nfd = unicodedata.normalize("NFD", "Phòng Pháp chế")
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        added = await unit_admin.add_unit(
            session, actor=admin, parent_code="SO-GTVT", code="Phong-Phap-Che", name=f"  {nfd} "
        )
        assert (added.code, added.name, added.parent_name) == ("phong-phap-che", "Phòng Pháp chế", "Sở GTVT")
        top = await unit_admin.add_unit(session, actor=admin, parent_code=None, code="ubnd", name="UBND xã")
        assert top.parent_name is None
        add = unit_admin.add_unit
        assert await refusal(add(session, actor=admin, parent_code="nope", code="x", name="X")) is (
            Refusal.PARENT_NOT_FOUND
        )
        assert await refusal(add(session, actor=admin, parent_code=None, code="Bad code!", name="X")) is (
            Refusal.BAD_CODE
        )
        assert await refusal(add(session, actor=admin, parent_code=None, code="van-phong", name="X")) is (
            Refusal.CODE_TAKEN
        )
        # The same name typed in capitals and NFD is the same sibling.
        clash = unicodedata.normalize("NFD", "VĂN PHÒNG")
        assert await refusal(add(session, actor=admin, parent_code="so-gtvt", code="vp2", name=clash)) is (
            Refusal.NAME_TAKEN
        )
        assert await refusal(add(session, actor=admin, parent_code="so-gtvt", code="vp3", name="A / B")) is (
            Refusal.BAD_NAME
        )
        parent = "phong-phap-che"
        for level in range(4):  # levels 3 to 6 below the Sở
            await add(session, actor=admin, parent_code=parent, code=f"t{level}", name=f"Tổ {level}")
            parent = f"t{level}"
        assert await refusal(add(session, actor=admin, parent_code=parent, code="t9", name="Tổ 9")) is (
            Refusal.TOO_DEEP
        )
        rename = unit_admin.rename_unit
        assert await refusal(rename(session, actor=admin, code="phong-phap-che", name="Văn phòng")) is (
            Refusal.NAME_TAKEN
        )
        assert await refusal(rename(session, actor=admin, code="phong-phap-che", name="Phòng Pháp chế")) is (
            Refusal.UNCHANGED
        )
        renamed = await rename(session, actor=admin, code="phong-phap-che", name="phòng pháp chế")
        assert renamed.name == "phòng pháp chế"
        head = await session.scalar(select(Official).where(Official.phone == "+84912000001"))
        assert head is not None
    units = await units_by_code(office)
    assert units["phong-phap-che"].path == f"{units['so-gtvt'].path}{units['phong-phap-che'].id}/"
    assert units["t3"].depth == 5 and units["t3"].path.startswith(units["t0"].path)
    async with office.unit_of_work() as session:
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    actions = [(e.action, e.actor_label) for e in entries]
    assert ("unit.add", "Quản trị") in actions and ("unit.rename", "Quản trị") in actions
    renamed_entry = next(e for e in entries if e.action == "unit.rename")
    assert renamed_entry.before == {"name": "Phòng Pháp chế"}
    assert renamed_entry.after == {"name": "phòng pháp chế"}


async def test_move_rewrites_the_subtree_and_refuses_cycles_and_clashes(office: Database) -> None:
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        await unit_admin.add_unit(session, actor=admin, parent_code="van-phong", code="to-a", name="Tổ A")
        await unit_admin.add_unit(session, actor=admin, parent_code="to-a", code="to-b", name="Tổ B")
        move = unit_admin.move_unit
        assert await refusal(move(session, actor=admin, code="so-gtvt", new_parent_code="to-b")) is (
            Refusal.UNDER_ITSELF
        )
        assert await refusal(move(session, actor=admin, code="van-phong", new_parent_code="van-phong")) is (
            Refusal.UNDER_ITSELF
        )
        assert await refusal(move(session, actor=admin, code="van-phong", new_parent_code="so-gtvt")) is (
            Refusal.UNCHANGED
        )
        assert await refusal(move(session, actor=admin, code="nope", new_parent_code=None)) is (
            Refusal.UNIT_NOT_FOUND
        )
        await unit_admin.add_unit(
            session, actor=admin, parent_code="phong-quan-ly-van-tai", code="vp-x", name="Tổ A"
        )
        assert await refusal(
            move(session, actor=admin, code="to-a", new_parent_code="phong-quan-ly-van-tai")
        ) is (Refusal.NAME_TAKEN)
        moved = await move(session, actor=admin, code="van-phong", new_parent_code="phong-quan-ly-van-tai")
        assert moved.parent_name == "Phòng Quản lý vận tải"
    units = await units_by_code(office)
    sở, qlvt, vp = units["so-gtvt"], units["phong-quan-ly-van-tai"], units["van-phong"]
    assert vp.parent_id == qlvt.id and vp.path == f"{qlvt.path}{vp.id}/" and vp.depth == 2
    assert units["to-a"].path == f"{vp.path}{units['to-a'].id}/" and units["to-a"].depth == 3
    assert units["to-b"].path == f"{units['to-a'].path}{units['to-b'].id}/" and units["to-b"].depth == 4
    assert sở.path == f"/{sở.id}/" and units["vp-x"].depth == 2
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        top = await unit_admin.move_unit(session, actor=admin, code="to-a", new_parent_code=None)
        assert top.parent_name is None
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "unit.move").order_by(AuditEntry.id.desc()).limit(1)
        )
        assert entry is not None and entry.after == {"parent": None, "path": f"/{units['to-a'].id}/"}
    units = await units_by_code(office)
    assert units["to-a"].depth == 0 and units["to-b"].path == f"/{units['to-a'].id}/{units['to-b'].id}/"
    assert units["to-b"].depth == 1


async def test_set_head_demotes_the_previous_head_and_moves_the_new_one(office: Database) -> None:
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        first = await unit_admin.set_head(session, actor=admin, code="van-phong", phone="0912 000 003")
        assert first.demoted == ["Lê Thị Hoa"] and first.moved_from is None
        second = await unit_admin.set_head(session, actor=admin, code="van-phong", phone="0912-000-005")
        assert second.demoted == ["Phạm Minh Châu"] and second.moved_from == "Phòng Quản lý vận tải"
        set_head = unit_admin.set_head
        assert await refusal(set_head(session, actor=admin, code="van-phong", phone="0912000005")) is (
            Refusal.UNCHANGED
        )
        assert (
            await refusal(set_head(session, actor=admin, code="van-phong", phone="12ab")) is Refusal.BAD_PHONE
        )
        assert await refusal(set_head(session, actor=admin, code="van-phong", phone="0987654321")) is (
            Refusal.OFFICIAL_NOT_FOUND
        )
        # An administrator named head keeps the administrator role; the unit's head is demoted.
        admin_row = await session.get(Official, admin.id)
        assert admin_row is not None
        admin_row.phone = "+84912000099"
        await set_head(session, actor=admin, code="van-phong", official_id=admin.id)
    async with office.unit_of_work() as session:
        rows = {o.phone: o for o in (await session.scalars(select(Official))).all()}
        vp = await get_unit_by_code(session, "van-phong")
        assert vp is not None
        entries = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "unit.set_head").order_by(AuditEntry.id)
            )
        ).all()
    assert rows["+84912000002"].role is Role.OFFICIAL and rows["+84912000003"].role is Role.OFFICIAL
    assert rows["+84912000005"].role is Role.OFFICIAL  # demoted by the admin's appointment
    assert rows["+84912000099"].role is Role.ADMIN and rows["+84912000099"].unit_id == vp.id
    assert rows["+84912000001"].role is Role.HEAD  # the Sở's own head is untouched
    assert len(entries) == 3
    assert entries[1].before is not None and entries[1].before["official"]["unit"] == "phong-quan-ly-van-tai"
    assert entries[1].after is not None and entries[1].after["official"] == {
        "id": rows["+84912000005"].id,
        "role": "head",
        "unit": "van-phong",
    }


async def test_a_non_admin_actor_is_refused_and_nothing_changes(office: Database) -> None:
    async with office.unit_of_work() as session:
        head = await session.scalar(select(Official).where(Official.phone == "+84912000002"))
        assert head is not None
        await link_telegram(session, head, 55)
    async with office.unit_of_work() as session:
        actor = await load_actor(
            session,
            user=ChannelUser.telegram(55),
            display_name="",
            language_code="vi",
            admin_ids=frozenset(),
            default_locale="vi",
        )
        assert actor is not None and actor.is_head
        reason = await refusal(
            unit_admin.add_unit(session, actor=actor, parent_code="van-phong", code="to-z", name="Tổ Z")
        )
        assert reason is Refusal.NOT_ALLOWED
    assert "to-z" not in await units_by_code(office)


async def test_counts_per_level_and_reach(office: Database) -> None:
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        for n in range(12):
            await unit_admin.add_unit(
                session, actor=admin, parent_code="van-phong", code=f"to-{n:02}", name=f"Tổ {n:02}"
            )
        lan = await session.scalar(select(Official).where(Official.phone == "+84912000004"))
        assert lan is not None
        lan.unit_id = (await get_unit_by_code(session, "to-03")).id  # type: ignore[union-attr]
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        top = await unit_listing.browse(session, actor=admin, unit_id=None)
        office_line = await unit_listing.office_counts(session)
        assert top is not None and top.unit is None and top.up is None and not top.read_only
        assert [(c.code, c.officials, c.sub_units) for c in top.children] == [("so-gtvt", 5, 2)]
        # the administrator (ADMIN_IDS, in no unit) is on no staff list: the office counts its units' five
        assert (office_line.officials, office_line.sub_units) == (5, 1)
        sở = top.children[0]
        level = await unit_listing.browse(session, actor=admin, unit_id=sở.id)
        assert level is not None and level.up == ("office", None)
        assert [(c.code, c.officials, c.joined, c.sub_units) for c in level.children] == [
            ("phong-quan-ly-van-tai", 1, 0, 0),
            ("van-phong", 3, 0, 12),
        ]
        vp = level.children[1]
        first = await unit_listing.browse(session, actor=admin, unit_id=vp.id)
        second = await unit_listing.browse(session, actor=admin, unit_id=vp.id, page=1)
        beyond = await unit_listing.browse(session, actor=admin, unit_id=vp.id, page=7)
        assert first is not None and second is not None and beyond is not None
        assert (first.pages, len(first.children), len(second.children)) == (2, 10, 2)
        assert first.unit is not None and (first.unit.officials, first.unit.sub_units) == (3, 12)
        assert [c.code for c in second.children] == ["to-10", "to-11"] and beyond.page == 1
        assert [(c.code, c.officials) for c in first.children[2:5]] == [
            ("to-02", 0),
            ("to-03", 1),
            ("to-04", 0),
        ]
        hoa = await session.scalar(select(Official).where(Official.phone == "+84912000002"))
        assert hoa is not None
        await link_telegram(session, hoa, 77)
        head = await load_actor(
            session,
            user=ChannelUser.telegram(77),
            display_name="",
            language_code="vi",
            admin_ids=frozenset(),
            default_locale="vi",
        )
        assert head is not None
        assert await unit_listing.browse(session, actor=head, unit_id=None) is None
        assert await unit_listing.browse(session, actor=head, unit_id=sở.id) is None
        own = await unit_listing.browse(session, actor=head, unit_id=vp.id)
        assert own is not None and own.read_only and own.up is None
        below = await unit_listing.browse(session, actor=head, unit_id=own.children[0].id)
        assert below is not None and below.up == ("unit", vp.id)
