from __future__ import annotations

import pytest
from sqlalchemy import func, select

from compliance.office.staff_file import StaffFileError, read_staff_file
from compliance.office.staff_import import ImportRefused, RowProblem, import_staff, plan_import
from storage.engine import Database
from storage.models import Official, Role, Unit
from tests.staff_files import HEADER, OFFICE, csv_bytes, xlsx_bytes


async def count(database: Database, model: type) -> int:
    async with database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_xlsx_import_creates_units_and_officials(database: Database) -> None:
    async with database.unit_of_work() as session:
        plan, created, updated = await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
    assert (created, updated, plan.new_units) == (5, 0, 3)
    async with database.unit_of_work() as session:
        lan = await session.scalar(select(Official).where(Official.phone == "+84912000004"))
        assert lan is not None and lan.full_name == "Nguyễn Thị Lan"
        assert lan.unit is not None and lan.unit.name == "Phòng Quản lý vận tải"
        hoa = await session.scalar(select(Official).where(Official.phone == "+84912000002"))
        assert hoa is not None and hoa.role is Role.HEAD
        root = await session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
        assert root is not None and lan.unit.path.startswith(root.path) and lan.unit.depth == 1


async def test_csv_with_bom_and_nfd_text_reads_like_xlsx(database: Database) -> None:
    import unicodedata

    rows = [[unicodedata.normalize("NFD", str(c)) for c in row] for row in OFFICE]
    async with database.unit_of_work() as session:
        plan = await plan_import(session, file_name="ds.csv", content=csv_bytes(rows))
    assert not plan.errors and plan.to_create == 5 and plan.new_units == 3
    assert plan.rows[0].full_name == "Trần Văn Bình"  # NFC again


async def test_dry_run_names_every_bad_row_and_a_real_import_changes_nothing(database: Database) -> None:
    bad = [
        *OFFICE,
        ["", "Chuyên viên", "Sở GTVT", "0912 000 010", "", ""],
        ["Vũ Văn Nam", "", "Sở GTVT", "12345", "", ""],
        ["Bùi Thị Yến", "", "Sở GTVT", "0912 000 001", "", ""],
        ["Hồ Văn Tư", "", "Sở GTVT", "0912 000 011", "", "giám đốc"],
        ["Ngô Thị Hà", "", "A / B / C / D / E / F / G", "0912 000 012", "", ""],
        ["Phan Văn Sơn", "", "", "0912 000 013", "", ""],
    ]
    async with database.unit_of_work() as session:
        plan = await plan_import(session, file_name="ds.xlsx", content=xlsx_bytes(bad))
    found = {(e.row, e.problem) for e in plan.errors}
    assert found == {
        (7, RowProblem.MISSING_NAME),
        (8, RowProblem.BAD_PHONE),
        (9, RowProblem.DUPLICATE_PHONE),
        (10, RowProblem.UNKNOWN_ROLE),
        (11, RowProblem.UNIT_TOO_DEEP),
        (12, RowProblem.MISSING_UNIT),
    }
    duplicate = next(e for e in plan.errors if e.problem is RowProblem.DUPLICATE_PHONE)
    assert duplicate.value == "2"  # the row it repeats
    with pytest.raises(ImportRefused):
        async with database.unit_of_work() as session:
            await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(bad))
    assert await count(database, Official) == 0
    assert await count(database, Unit) == 0


async def test_reimport_updates_by_phone_and_deletes_nobody(database: Database) -> None:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
    moved = [["Nguyễn Thị Lan", "Phó trưởng phòng", "Sở GTVT / Văn phòng", "0912 000 004", "", "cán bộ"]]
    async with database.unit_of_work() as session:
        plan, created, updated = await import_staff(session, file_name="ds.csv", content=csv_bytes(moved))
    assert (created, updated, plan.new_units) == (0, 1, 0)
    assert await count(database, Official) == 5
    async with database.unit_of_work() as session:
        lan = await session.scalar(select(Official).where(Official.phone == "+84912000004"))
        assert lan is not None and lan.title == "Phó trưởng phòng" and lan.unit is not None
        assert lan.unit.name == "Văn phòng"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("ds.pdf", b"%PDF", "unsupported_type"),
        ("ds.xlsx", b"not a zip", "unreadable"),
        ("ds.csv", "Họ và tên".encode("utf-16"), "not_utf8"),
        ("ds.csv", csv_bytes([], header=["Tên", "Số"]), "missing_columns"),
        ("ds.csv", b"", "empty"),
    ],
)
def test_unreadable_files_say_why(name: str, content: bytes, code: str) -> None:
    with pytest.raises(StaffFileError) as caught:
        read_staff_file(name, content)
    assert caught.value.code == code


def test_phone_typed_as_a_number_in_excel_keeps_its_digits() -> None:
    rows = read_staff_file("ds.xlsx", xlsx_bytes([["Lê Văn A", "", "Sở", 912000001.0, "", ""]], HEADER))
    assert rows[0].values["phone"] == "912000001"
