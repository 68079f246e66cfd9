"""The units page's merge (a confirmation page first, showing what moves), the unit kind, and the search
of former names."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from storage.engine import Database
from storage.models import Official, Unit
from storage.models_unit_history import UnitMerge
from tests.test_web_admin_units import HOSTILE, _actions, _unit
from tests.web_admin_office import populate, signed_in_as
from tests.web_client import csrf_of


def _count(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]*)<', page)
    assert found is not None, element_id
    return found.group(1)


async def _units_of(database: Database) -> dict[str, int | None]:
    async with database.unit_of_work() as session:
        return {o.full_name: o.unit_id for o in (await session.scalars(select(Official))).all()}


async def test_merge_shows_what_moves_then_merges_on_confirmation(database: Database) -> None:
    people = await populate(database)
    so = await _unit(database, "Sở GTVT")
    source = await _unit(database, "Phòng Quản lý vận tải")
    target = await _unit(database, "Văn phòng")
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/admin/units"))
        preview = await client.post(
            f"/admin/units/{source.id}/merge", data={"csrf": token, "target": "VAN-PHONG "}
        )
        assert preview.status_code == 200
        assert (_count(preview.text, "merge-officials"), _count(preview.text, "merge-units")) == ("2", "0")
        assert f'action="/admin/units/{source.id}/merge/confirm"' in preview.text
        assert 'name="target" value="van-phong"' in preview.text
        assert 'id="merge-heads"' not in preview.text  # the source has no head
        assert (await _units_of(database))["Nguyễn Thị Lan"] == source.id  # nothing moved yet
        assert await _actions(database) == []
        done = await client.post(
            f"/admin/units/{source.id}/merge/confirm", data={"csrf": token, "target": "van-phong"}
        )
        assert done.status_code == 303 and done.headers["location"] == f"/admin/units?unit={target.id}"
        after = await client.get(done.headers["location"])
        assert 'id="merged-in"' in after.text and "Phòng Quản lý vận tải" in after.text
        level = await client.get("/admin/units", params={"unit": so.id})
        assert f'href="/admin/units?unit={source.id}"' not in level.text  # out of the list
        merged_page = await client.get("/admin/units", params={"unit": source.id})
        assert merged_page.status_code == 200 and 'id="merged-notice"' in merged_page.text
        assert f'href="/admin/units?unit={target.id}"' in merged_page.text
        assert "/merge" not in merged_page.text and "/rename" not in merged_page.text  # no more changes
        found = await client.get("/admin/units", params={"q": "quản lý vận"})
        section = found.text.split('id="past-names"', 1)[1]
        assert f'href="/admin/units?unit={target.id}"' in section and "Phòng Quản lý vận tải" in section
        # Confirming twice (a reload, a second tab) merges nothing more: the unit is history now.
        again = await client.post(
            f"/admin/units/{source.id}/merge/confirm", data={"csrf": token, "target": "van-phong"}
        )
        assert again.status_code == 400 and 'id="merge-error"' in again.text
    moved = await _units_of(database)
    assert moved["Nguyễn Thị Lan"] == moved["Đỗ Quang Huy"] == target.id
    assert await _actions(database) == ["unit.merge"]


async def test_bad_merges_are_refused_beside_the_form_and_change_nothing(database: Database) -> None:
    people = await populate(database)
    so = await _unit(database, "Sở GTVT")
    office = await _unit(database, "Văn phòng")
    before = await _units_of(database)
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/admin/units"))
        for source, target in ((office, office.code), (so, office.code), (office, "khong-co"), (office, "")):
            for step in ("merge", "merge/confirm"):
                refused = await client.post(
                    f"/admin/units/{source.id}/{step}", data={"csrf": token, "target": target}
                )
                assert refused.status_code == 400 and 'id="merge-error"' in refused.text, (
                    source.code,
                    target,
                )
        no_csrf = await client.post(f"/admin/units/{office.id}/merge/confirm", data={"target": so.code})
        assert no_csrf.status_code == 403
    async with signed_in_as(database, people, "head") as client:
        token = csrf_of(await client.get("/"))
        head = await client.post(
            f"/admin/units/{office.id}/merge/confirm", data={"csrf": token, "target": "phong-quan-ly-van-tai"}
        )
        assert head.status_code in (403, 404)
    assert await _units_of(database) == before
    assert await _actions(database) == []
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(UnitMerge)) == 0
        assert (
            await session.scalar(
                select(func.count()).select_from(Unit).where(Unit.merged_into_id.is_not(None))
            )
            == 0
        )


async def test_a_unit_kind_is_free_text_set_on_the_page_and_shown(database: Database) -> None:
    people = await populate(database)
    so = await _unit(database, "Sở GTVT")
    office = await _unit(database, "Văn phòng")
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/admin/units"))
        kind = await client.post(f"/admin/units/{office.id}/kind", data={"csrf": token, "kind": "Văn phòng"})
        assert kind.status_code == 303
        added = await client.post(
            "/admin/units/add",
            data={
                "csrf": token,
                "parent": str(so.id),
                "code": "tt",
                "name": "Trung tâm Một cửa",
                "kind": "Trung tâm",
            },
        )
        assert added.status_code == 303
        level = await client.get("/admin/units", params={"unit": so.id})
        assert '<span class="unit-kind">Trung tâm</span>' in level.text
        assert '<option value="Trung tâm">' in level.text and '<option value="Văn phòng">' in level.text
        too_long = await client.post(f"/admin/units/{office.id}/kind", data={"csrf": token, "kind": "x" * 61})
        assert too_long.status_code == 400 and 'id="kind-error"' in too_long.text
        hostile = await client.post(
            f"/admin/units/{office.id}/kind", data={"csrf": token, "kind": HOSTILE[:60]}
        )
        assert hostile.status_code == 303
        page = await client.get("/admin/units", params={"unit": office.id})
        assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
        cleared = await client.post(f"/admin/units/{office.id}/kind", data={"csrf": token, "kind": " "})
        assert cleared.status_code == 303
    assert (await _unit(database, "Văn phòng")).kind is None
    assert (await _unit(database, "Trung tâm Một cửa")).kind == "Trung tâm"
    assert await _actions(database) == ["unit.kind", "unit.add", "unit.kind", "unit.kind"]


async def test_the_confirmation_page_escapes_unit_names(database: Database) -> None:
    people = await populate(database)
    so = await _unit(database, "Sở GTVT")
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/admin/units"))
        await client.post(
            "/admin/units/add",
            data={"csrf": token, "parent": str(so.id), "code": "xss", "name": HOSTILE.replace("/", "")},
        )
        hostile = await _unit(database, HOSTILE.replace("/", ""))
        preview = await client.post(
            f"/admin/units/{hostile.id}/merge", data={"csrf": token, "target": "van-phong"}
        )
        assert preview.status_code == 200
        assert "<script>alert" not in preview.text and "&lt;script&gt;" in preview.text
