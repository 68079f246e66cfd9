"""The sheet of a unit's codes: the Excel list (a row per person) and the PDF of slips (pages enough, the
names with their diacritics, rendered to a PNG under test-artifacts/ when pdftoppm is there)."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from compliance.office.activation import IssuedCode, new_code, shown
from compliance.office.activation_sheet import COLUMNS, ROWS, SheetLabels, codes_pdf, codes_workbook

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
EXPIRES = datetime(2027, 3, 31, 2, 0, tzinfo=UTC)
NAMES = [
    ("Nguyễn Thị Lan", "Phòng Quản lý vận tải"),
    ("Đỗ Quang Huy", "Phòng Quản lý vận tải"),
    ("Trần Văn Bình", "Sở Giao thông vận tải"),
    ("Phạm Minh Châu", "Văn phòng"),
    ("Lê Thị Hoa", "Văn phòng"),
    ("Tôn Nữ Hoàng Thị Ngọc Quỳnh Hương", "Phòng Kế hoạch – Tài chính và Quản lý chất lượng công trình"),
    ("Vũ Thị Quản", "Văn phòng"),
    ("Bùi Ưng Ưởng", "Văn phòng"),
    ('=HYPERLINK("x")', "Văn phòng"),
]
LABELS = SheetLabels(
    title="Phiếu kích hoạt",
    name="Họ và tên",
    unit="Đơn vị",
    code="Mã kích hoạt",
    expires="Có hiệu lực đến",
    how="Cách tham gia",
    steps=(
        "Mở Zalo.",
        "Tìm bot “Cam Kết Sở GTVT” và nhấn Quan tâm.",
        "Gửi cho bot mã kích hoạt ở trên.",
    ),
    locale="vi",
)
OFFICE = "Sở Giao thông vận tải tỉnh Hà Nam"


def _codes(count: int = len(NAMES)) -> list[IssuedCode]:
    return [
        IssuedCode(n, *NAMES[n % len(NAMES)], code=shown(new_code()), expires_at=EXPIRES)
        for n in range(count)
    ]


def test_the_workbook_has_a_row_per_person_and_no_formula() -> None:
    codes = _codes()
    book = load_workbook(io.BytesIO(codes_workbook(codes, LABELS, office=OFFICE)))
    sheet = book.worksheets[0]
    rows = [row for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == OFFICE and rows[1][:4] == ("Họ và tên", "Đơn vị", "Mã kích hoạt", "Có hiệu lực đến")
    people = rows[2:]
    assert len(people) == len(codes)
    assert [(row[0], row[1], row[2]) for row in people] == [(c.full_name, c.unit_name, c.code) for c in codes]
    assert people[0][3] == "31/03/2027" and "Cam Kết Sở GTVT" in str(people[0][4])
    hostile = sheet.cell(row=2 + len(codes), column=1)
    assert hostile.data_type == "s"  # text, not a formula


def test_the_slips_pdf_has_every_name_with_its_diacritics() -> None:
    codes = _codes(COLUMNS * ROWS + 3)  # a full page and a bit
    content = codes_pdf(codes, LABELS, office=OFFICE)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    for full_name, _ in NAMES[:-1]:
        assert full_name in text, full_name
    for item in codes:
        assert item.code in text
    assert "PHIẾU KÍCH HOẠT" in text and "31/03/2027" in text and "Cam Kết Sở GTVT" in text
    assert len(PdfReader(io.BytesIO(codes_pdf([], LABELS, office=None))).pages) == 1


def test_the_first_page_renders() -> None:
    """A picture of the first page, to look at: pypdf cannot render, poppler's pdftoppm can."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return  # the text extraction above still checks the glyphs are there
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / "activation-slips.pdf"
    source.write_bytes(codes_pdf(_codes(), LABELS, office=OFFICE))
    subprocess.run(  # noqa: S603 (pdftoppm found on PATH, our own file)
        [
            pdftoppm,
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(source.with_suffix("")),
        ],
        check=True,
        timeout=60,
    )
    png = source.with_suffix(".png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
