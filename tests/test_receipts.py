"""The receipt as an administrative document: header, place and date, the title once, the signer's block,
a code a person can check; the same bytes every time it is made from the same row."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from compliance.office.officials import actor_of
from compliance.office.staff_import import import_staff
from compliance.pledge import ledger
from compliance.pledge import signing as pledges
from compliance.pledge.receipts import date_line, place_of
from handlers.i18n import _, use_locale
from handlers.telegram.receipts import build_receipt
from storage.clock import ShiftedClock, use_clock
from storage.engine import Database
from storage.models import Official
from storage.models_pledge import Signature
from tests.pledge_files import template
from tests.staff_files import xlsx_bytes

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SIGNED = datetime(2026, 11, 30, 9, 15, tzinfo=VN)
LONG_NAME = "Nguyễn Thị Phương Thảo Huyền Trang"
STAFF = [
    [LONG_NAME, "Chuyên viên", "UBND xã Bình Lục / Phòng Kinh tế", "0912 000 021", "", "cán bộ"],
    ["Đỗ Quang Huy", "Cán sự", "UBND xã Bình Lục / Phòng Kinh tế", "0912 000 022", "", "cán bộ"],
    ["Trần Văn Bình", "Giám đốc", "Sở GTVT", "0912 000 023", "", "trưởng đơn vị"],
]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def _signed(database: Database) -> dict[str, Signature]:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(STAFF))
        published = await pledges.publish(
            session, template=template(), unit=None, material=False, publisher_id=None, now=SIGNED
        )
        assert published.version is not None
        people = (await session.scalars(select(Official).order_by(Official.id))).all()
        signed: dict[str, Signature] = {}
        for person, locale in zip(people, ("vi", "en", "vi"), strict=True):
            await session.refresh(person, ["unit"])
            result = await pledges.sign(
                session,
                actor=actor_of(person),
                version_id=published.version.id,
                typed_name=person.full_name,
                locale=locale,
                chat_id=1,
                message_id=1,
                now=SIGNED + timedelta(minutes=len(signed)),
            )
            assert result.signature is not None
            signed[person.full_name] = result.signature
        return signed


async def _receipt(database: Database, signature_id: int) -> bytes:
    async with database.unit_of_work() as session:
        signature = await session.get(Signature, signature_id)
        assert signature is not None
        return (await build_receipt(session, signature))[1]


async def test_a_vietnamese_receipt_reads_as_an_administrative_document(database: Database) -> None:
    signature = (await _signed(database))[LONG_NAME]
    with use_clock(ShiftedClock(datetime(2027, 3, 1, tzinfo=VN))):
        content = await _receipt(database, signature.id)
    with use_clock(ShiftedClock(datetime(2028, 7, 9, tzinfo=VN))):
        assert await _receipt(database, signature.id) == content  # the same row, the same bytes, any day
    shown = pdf_text(content)
    flat = shown.replace("\n", " ")
    code = ledger.verification_code(signature.row_hash)
    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    with use_locale("vi"):
        for part in (
            "UBND XÃ BÌNH LỤC",
            "PHÒNG KINH TẾ",
            _("SOCIALIST REPUBLIC OF VIET NAM"),
            _("Independence - Freedom - Happiness"),
            "Bình Lục, ngày 30 tháng 11 năm 2026",
            _("THE SIGNER"),
            code,
            f"/verify {code}",
        ):
            assert part in flat, part
        assert flat.count(_("PLEDGE RECEIPT")) == 1
    assert flat.count("Cam kết thử nghiệm") == 1  # the pledge's title once, above its text
    assert flat.index("Cam kết thử nghiệm") < flat.index("1/QĐ-TEST")  # its source, under the title
    assert flat.count(LONG_NAME) == 2  # the name field and the signer's block
    assert signature.row_hash in shown.replace("\n", "")
    assert "python -m bot" not in flat and "README" not in flat  # no developer's instructions


async def test_an_english_receipt_has_the_same_layout_in_english(database: Database) -> None:
    signature = (await _signed(database))["Đỗ Quang Huy"]
    flat = pdf_text(await _receipt(database, signature.id)).replace("\n", " ")
    for part in (
        "SOCIALIST REPUBLIC OF VIET NAM",
        "Independence - Freedom - Happiness",
        "Bình Lục, 30 Nov 2026",
        "PLEDGE RECEIPT",
        "THE SIGNER",
        "Đỗ Quang Huy",
        f"/verify {ledger.verification_code(signature.row_hash)}",
    ):
        assert part in flat, part


async def test_an_office_without_a_place_in_its_name_dates_without_one(database: Database) -> None:
    signature = (await _signed(database))["Trần Văn Bình"]
    flat = pdf_text(await _receipt(database, signature.id)).replace("\n", " ")
    assert "SỞ GTVT" in flat and "Ngày 30 tháng 11 năm 2026" in flat and ", ngày" not in flat


@pytest.mark.parametrize(
    ("office", "place"),
    [
        ("UBND xã Bình Lục", "Bình Lục"),
        ("UBND xã Bình Lục, tỉnh Ninh Bình", "Bình Lục"),  # the commune's own name, not the province's
        ("Ủy ban nhân dân tỉnh Ninh Bình", "Ninh Bình"),
        ("Sở Nội vụ tỉnh Ninh Bình", "Ninh Bình"),
        ("Sở Lao động – Thương binh và Xã hội tỉnh Ninh Bình", "Ninh Bình"),
        ("UBND phường Sơn Tây, thành phố Hà Nội", "Sơn Tây"),
        ("UBND đặc khu Phú Quốc", "Phú Quốc"),
        ("Ủy ban nhân dân Thành phố Hồ Chí Minh", "Hồ Chí Minh"),
        ("UBND thị xã Sơn Tây", "Sơn Tây"),  # a letterhead from before the 2025 reorganisation
        ("Sở GTVT", None),
        ("Sở Nội vụ (thử nghiệm)", None),
        (None, None),
    ],
)
def test_the_place_is_read_from_the_offices_name(office: str | None, place: str | None) -> None:
    assert place_of(office) == place


def test_date_lines_follow_the_decree() -> None:
    # Days below 10 and the months 1 and 2 take a leading zero, so nobody can add a digit by hand.
    assert date_line(date(2027, 2, 5), "vi", "Bình Lục") == "Bình Lục, ngày 05 tháng 02 năm 2027"
    assert date_line(date(2026, 11, 30), "vi", None) == "Ngày 30 tháng 11 năm 2026"
    assert date_line(date(2026, 3, 1), "en", "Hà Nam") == "Hà Nam, 1 Mar 2026"
