"""The unit tree on the web: browse by level, add, rename, move (never under itself), set head."""

from __future__ import annotations

from sqlalchemy import select

from compliance.office.units import get_unit_by_code
from storage.engine import Database
from storage.models import Official, Role, Unit
from storage.models_broadcast import AuditEntry
from tests.web_admin_office import populate, signed_in_as
from tests.web_client import csrf_of

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


async def _unit(database: Database, name: str) -> Unit:
    async with database.unit_of_work() as session:
        unit = await session.scalar(select(Unit).where(Unit.name == name))
        assert unit is not None
        return unit


async def _actions(database: Database) -> list[str]:
    async with database.unit_of_work() as session:
        return list(
            (
                await session.scalars(
                    select(AuditEntry.action).where(AuditEntry.action.like("unit.%")).order_by(AuditEntry.id)
                )
            ).all()
        )


async def test_the_tree_is_browsed_level_by_level(database: Database) -> None:
    people = await populate(database)
    so = await _unit(database, "Sở GTVT")
    office = await _unit(database, "Văn phòng")
    async with signed_in_as(database, people, "admin") as client:
        top = await client.get("/admin/units")
        assert top.status_code == 200 and f'href="/admin/units?unit={so.id}"' in top.text
        assert "Văn phòng" not in top.text.split("<main", 1)[1]  # one level at a time
        level = await client.get("/admin/units", params={"unit": so.id})
        assert f'href="/admin/units?unit={office.id}"' in level.text and "Phòng Quản lý vận tải" in level.text
        # Bình is directly in the Sở and its head: he is offered, selected, as the head.
        assert f'<option value="{people["Trần Văn Bình"]}" selected>' in level.text
        assert (await client.get("/admin/units", params={"unit": "99999"})).status_code == 404
        assert (await client.get("/admin/units", params={"unit": "x"})).status_code == 404


async def test_add_rename_move_and_set_head_are_the_chats_changes_audited(database: Database) -> None:
    people = await populate(database)
    so = await _unit(database, "Sở GTVT")
    office = await _unit(database, "Văn phòng")
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/admin/units"))
        added = await client.post(
            "/admin/units/add",
            data={"csrf": token, "parent": str(office.id), "code": "to-1", "name": "Tổ Một"},
        )
        assert added.status_code == 303
        new = await _unit(database, "Tổ Một")
        assert new.parent_id == office.id and added.headers["location"] == f"/admin/units?unit={new.id}"
        renamed = await client.post(f"/admin/units/{new.id}/rename", data={"csrf": token, "name": "Tổ Hai"})
        assert renamed.status_code == 303 and (await _unit(database, "Tổ Hai")).id == new.id
        moved = await client.post(f"/admin/units/{new.id}/move", data={"csrf": token, "parent": so.code})
        assert moved.status_code == 303 and (await _unit(database, "Tổ Hai")).parent_id == so.id
        top = await client.post(f"/admin/units/{new.id}/move", data={"csrf": token, "parent": ""})
        assert top.status_code == 303 and (await _unit(database, "Tổ Hai")).parent_id is None
        chau = people["Phạm Minh Châu"]
        head = await client.post(
            f"/admin/units/{office.id}/head", data={"csrf": token, "official": str(chau)}
        )
        assert head.status_code == 303
    async with database.unit_of_work() as session:
        roles = {o.full_name: o.role for o in (await session.scalars(select(Official))).all()}
        assert roles["Phạm Minh Châu"] is Role.HEAD and roles["Lê Thị Hoa"] is Role.OFFICIAL
    assert await _actions(database) == ["unit.add", "unit.rename", "unit.move", "unit.move", "unit.set_head"]


async def test_refused_changes_say_why_beside_the_form_and_change_nothing(database: Database) -> None:
    people = await populate(database)
    so = await _unit(database, "Sở GTVT")
    office = await _unit(database, "Văn phòng")
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/admin/units"))
        under_child = await client.post(
            f"/admin/units/{so.id}/move", data={"csrf": token, "parent": office.code}
        )
        assert under_child.status_code == 400 and 'id="move-error"' in under_child.text
        under_itself = await client.post(
            f"/admin/units/{so.id}/move", data={"csrf": token, "parent": so.code}
        )
        assert under_itself.status_code == 400
        bad_code = await client.post("/admin/units/add", data={"csrf": token, "code": "Có Dấu", "name": "X"})
        assert bad_code.status_code == 400 and 'id="add-error"' in bad_code.text
        taken = await client.post(
            "/admin/units/add", data={"csrf": token, "parent": str(so.id), "code": "vp2", "name": "văn phòng"}
        )
        assert taken.status_code == 400
        slash = await client.post(f"/admin/units/{office.id}/rename", data={"csrf": token, "name": "A / B"})
        assert slash.status_code == 400 and 'id="rename-error"' in slash.text
        # Lan works in another unit: the head is chosen from the unit's own staff only.
        outsider = people["Nguyễn Thị Lan"]
        head = await client.post(
            f"/admin/units/{office.id}/head", data={"csrf": token, "official": str(outsider)}
        )
        assert head.status_code == 400 and 'id="head-error"' in head.text
        gone = await client.post("/admin/units/99999/rename", data={"csrf": token, "name": "X"})
        assert gone.status_code == 404
        no_csrf = await client.post(f"/admin/units/{office.id}/rename", data={"name": "Khác"})
        assert no_csrf.status_code == 403
    async with database.unit_of_work() as session:
        assert (await get_unit_by_code(session, so.code)) is not None
        assert (await session.get(Unit, so.id)).parent_id is None  # type: ignore[union-attr]
        assert (await session.get(Unit, office.id)).name == "Văn phòng"  # type: ignore[union-attr]
    assert await _actions(database) == []


async def test_hostile_unit_names_come_out_escaped(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/admin/units"))
        added = await client.post(
            "/admin/units/add", data={"csrf": token, "code": "xss", "name": HOSTILE.replace("/", "")}
        )
        assert added.status_code == 303
        top = await client.get("/admin/units")
        shown = await client.get(added.headers["location"])
        for page in (top, shown):
            assert "<script>alert" not in page.text and "<img src=x" not in page.text
            assert "&lt;script&gt;" in page.text
        refused = await client.post("/admin/units/add", data={"csrf": token, "code": HOSTILE, "name": "X"})
        assert refused.status_code == 400 and "<script>alert" not in refused.text


async def test_a_2000_unit_tree_is_shown_ten_at_a_time_with_a_pager(database: Database) -> None:
    people = await populate(database)
    async with database.unit_of_work() as session:
        root = await session.scalar(select(Unit).where(Unit.name == "Sở GTVT"))
        assert root is not None
        for n in range(2000):
            unit = Unit(
                parent_id=root.id,
                code=f"u{n}",
                name=f"Phòng {n:04d}",
                name_key=f"phòng {n:04d}",
                path="",
                depth=1,
            )
            session.add(unit)
            await session.flush()
            unit.path = f"{root.path}{unit.id}/"
        root_id = root.id
    async with signed_in_as(database, people, "admin") as client:
        first = await client.get("/admin/units", params={"unit": root_id})
        assert first.status_code == 200 and first.text.count('<li><a href="/admin/units?unit=') == 10
        assert "page=1" in first.text and "Phòng 0000" in first.text
        # 2 002 units below the Sở: page 200 (counted from 0) is the last, with the two named ones.
        near_end = await client.get("/admin/units", params={"unit": root_id, "page": "199"})
        assert near_end.status_code == 200 and "Phòng 1999" in near_end.text
        beyond = await client.get("/admin/units", params={"unit": root_id, "page": "999"})
        assert "Văn phòng" in beyond.text and "Trang 201/201" in beyond.text
    # A hostile person in the unit: the head's choice shows the name escaped.
    hostile = [[HOSTILE, "", "Sở GTVT / Văn phòng", "0912 000 031", "", ""]]
    people = await populate(database, hostile)
    async with signed_in_as(database, people, "admin") as client:
        office = await _unit(database, "Văn phòng")
        page = await client.get("/admin/units", params={"unit": office.id})
        assert (
            "&lt;script&gt;" in page.text
            and "<script>alert" not in page.text
            and "<img src=x" not in page.text
        )
