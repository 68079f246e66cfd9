"""The demo office is a commune of 2026 (two-level local government) and a provincial department."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from compliance.office.demo import COMMUNE, DEPARTMENT, demo_rows, seed_demo
from compliance.office.units import tree_sorted
from storage.engine import Database
from storage.models import Official, Role, Unit


def test_the_demo_rows_are_the_same_every_time_and_name_no_district() -> None:
    rows = demo_rows()
    assert rows == demo_rows() and len(rows) == 40
    assert len({row.phone for row in rows}) == len({row.full_name for row in rows}) == 40
    words = " ".join(" ".join(row.unit_path) + " " + (row.title or "") for row in rows).casefold()
    assert not any(word in words for word in ("huyện", "thị trấn", "quận", "(demo)"))


async def test_two_roots_a_head_per_unit_and_kinds_as_data(database: Database) -> None:
    async with database.unit_of_work() as session:
        assert await seed_demo(session) == (40, 0)
    async with database.unit_of_work() as session:
        assert await seed_demo(session) == (0, 40)  # idempotent: the same people, by phone
    async with database.unit_of_work() as session:
        units = tree_sorted((await session.scalars(select(Unit))).all())
        people = (await session.scalars(select(Official))).all()
    names = {unit.id: unit.name for unit in units}
    tree = [("  " * unit.depth + unit.name, unit.kind) for unit in units]
    assert tree == [
        ("Sở Nội vụ tỉnh Ninh Bình", "Sở"),
        ("  Phòng Cải cách hành chính", "Phòng"),
        ("  Phòng Công chức, viên chức", "Phòng"),
        ("  Văn phòng Sở", "Văn phòng"),
        ("UBND xã Bình Lục, tỉnh Ninh Bình", "UBND xã"),
        ("  Phòng Kinh tế", "Phòng"),
        ("  Phòng Văn hóa – Xã hội", "Phòng"),
        ("  Trung tâm Phục vụ hành chính công", "Trung tâm"),
        ("  Văn phòng HĐND và UBND", "Văn phòng"),
    ]
    assert {COMMUNE, DEPARTMENT} == {unit.name for unit in units if unit.parent_id is None}
    heads = Counter(names[p.unit_id] for p in people if p.role is Role.HEAD and p.unit_id is not None)
    assert heads == Counter({unit.name: 1 for unit in units})
    staff = Counter(names[p.unit_id] for p in people if p.role is Role.OFFICIAL and p.unit_id is not None)
    assert set(staff) == {unit.name for unit in units if unit.parent_id is not None}
    assert min(staff.values()) >= 3
