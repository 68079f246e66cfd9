"""The Vietnamese order of names and units, with the examples a Vietnamese reader checks a list by."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import select

from compliance.office import unit_admin, unit_listing
from compliance.office.units import get_unit_by_code, tree_sorted
from compliance.text import vietnamese_key, vietnamese_name_key
from storage.engine import Database
from storage.models import Unit
from tests.test_reports import office  # noqa: F401 - the fixture
from tests.test_unit_admin import admin_actor


def by_text(*values: str) -> list[str]:
    return sorted(values, key=vietnamese_key)


def by_name(*values: str) -> list[str]:
    return sorted(values, key=vietnamese_name_key)


def test_d_with_stroke_comes_after_d() -> None:
    assert by_text("Đào", "Dương", "Eo") == ["Dương", "Đào", "Eo"]
    assert by_text("Đinh", "Dung", "Đặng", "Cao") == ["Cao", "Dung", "Đặng", "Đinh"]


def test_letters_with_marks_are_letters_of_their_own() -> None:
    # ă and â after a, ê after e, ô and ơ after o, ư after u: whatever the tones on the rest of the word
    assert by_text("Ân", "Ăn", "Áo", "Bé") == ["Áo", "Ăn", "Ân", "Bé"]
    assert by_text("Ơn", "Ôn", "On", "Ổi", "Ởi") == ["On", "Ổi", "Ôn", "Ởi", "Ơn"]
    assert by_text("Ưng", "Uyên", "Vũ") == ["Uyên", "Ưng", "Vũ"]
    assert by_text("Ê", "Ẹ", "Gấm") == ["Ẹ", "Ê", "Gấm"]


def test_tones_come_after_the_base_letters_in_the_dictionaries_order() -> None:
    assert by_text("Ấn", "Ân", "An") == ["An", "Ân", "Ấn"]
    # ngang, huyền, hỏi, ngã, sắc, nặng
    assert by_text("Bạ", "Bá", "Bã", "Bả", "Bà", "Ba") == ["Ba", "Bà", "Bả", "Bã", "Bá", "Bạ"]
    # a tone decides only between words equal letter for letter
    assert by_text("Bình", "Bính", "Binh", "Bịch") == ["Bịch", "Binh", "Bình", "Bính"]


def test_a_shorter_word_comes_first_and_numbers_by_their_value() -> None:
    assert by_text("Anh", "An Bình", "An") == ["An", "An Bình", "Anh"]
    assert by_text("Tổ 10", "Tổ 2", "Tổ 1") == ["Tổ 1", "Tổ 2", "Tổ 10"]


def test_neither_case_nor_normalisation_changes_the_order() -> None:
    nfd = unicodedata.normalize("NFD", "Đặng")
    assert vietnamese_key(nfd)[:2] == vietnamese_key("đặng")[:2]
    assert by_text("đặng", "Dương") == ["Dương", "đặng"]
    messy = "  Phòng\u200b Tư pháp "
    assert by_text(messy, "Phòng Tài chính") == ["Phòng Tài chính", messy]


def test_people_by_given_name_then_family_name_then_middle_name() -> None:
    assert by_name("Trần Thị Bình", "Nguyễn Văn An") == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert by_name("Trần Văn An", "Lê Thị An", "Lê Văn An", "Nguyễn An") == [
        "Lê Thị An",
        "Lê Văn An",
        "Nguyễn An",
        "Trần Văn An",
    ]
    # the given names' tones before the family name: "An" before "Ân" whoever the family
    assert by_name("Nguyễn Thị Ân", "Trần Văn An", "Đỗ Quang Ấn") == [
        "Trần Văn An",
        "Nguyễn Thị Ân",
        "Đỗ Quang Ấn",
    ]
    # "Đ" after "D" in family names too
    assert by_name("Đào Văn Hùng", "Dương Văn Hùng") == ["Dương Văn Hùng", "Đào Văn Hùng"]


@pytest.mark.parametrize("name", ["Madonna", "", "  ", "Lê  Thị   Hoa"])
def test_any_name_has_a_key(name: str) -> None:
    assert by_name(name, "Nguyễn Văn An")[0] in (name, "Nguyễn Văn An")
    assert vietnamese_name_key(name) == vietnamese_name_key(name + " ")


def test_an_office_list_read_back() -> None:
    staff = ["Trần Văn Bình", "Lê Thị Hoa", "Phạm Minh Châu", "Nguyễn Thị Lan", "Đỗ Quang Huy", "Đặng Thu Hà"]
    assert by_name(*staff) == [
        "Trần Văn Bình",
        "Phạm Minh Châu",
        "Đặng Thu Hà",
        "Lê Thị Hoa",
        "Đỗ Quang Huy",
        "Nguyễn Thị Lan",
    ]


SIBLINGS = ["Tổ Đoàn thể", "Tổ 10", "Tổ Dân vận", "An Phú", "Tổ 2", "Ấp Bắc", "Ban Zalo"]
IN_ORDER = ["An Phú", "Ấp Bắc", "Ban Zalo", "Tổ 2", "Tổ 10", "Tổ Dân vận", "Tổ Đoàn thể"]


async def test_units_pages_and_the_tree_in_vietnamese_order(office: Database) -> None:  # noqa: F811
    async with office.unit_of_work() as session:
        admin = await admin_actor(session)
        for n, name in enumerate(SIBLINGS):  # created in another order than they are read
            await unit_admin.add_unit(session, actor=admin, parent_code="van-phong", code=f"u{n}", name=name)
    async with office.unit_of_work() as session:
        parent = await get_unit_by_code(session, "van-phong")
        pages = [
            await unit_listing.children_page(session, parent=parent, page=n, per_page=3) for n in range(3)
        ]
        assert [[line.name for line in lines] for lines, _ in pages] == [
            IN_ORDER[:3],
            IN_ORDER[3:6],
            IN_ORDER[6:],
        ]
        assert {total for _, total in pages} == {len(SIBLINGS)}
        tree = tree_sorted(list((await session.scalars(select(Unit))).all()))
        assert [unit.name for unit in tree] == [
            "Sở GTVT",
            "Phòng Quản lý vận tải",
            "Văn phòng",  # before its own units, after its sibling "Phòng…" though created first
            *IN_ORDER,
        ]
