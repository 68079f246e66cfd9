"""Reception points from the dashboard: who may open the page, points made for a unit and for a desk
(audited; a second active point of the same desk refused), deactivated and reactivated, another head's
unit out of reach, and the poster: its words read back, its QR code read back module by module."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
import segno
from pypdf import PdfReader
from sqlalchemy import select

from compliance.feedback.points import CODE_LENGTH, normalise_code
from compliance.feedback.poster import QR_BORDER, QR_SIZE
from storage.engine import Database
from storage.models import Unit
from storage.models_broadcast import AuditEntry
from storage.models_feedback import ReceptionPoint
from tests.web_admin_office import populate, signed_in_as
from tests.web_client import BASE, csrf_of, sign_in, web_client

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "feedback"
MM_PER_INCH = 25.4


async def _unit_id(database: Database, name: str) -> int:
    async with database.unit_of_work() as session:
        found = await session.scalar(select(Unit.id).where(Unit.name == name))
        assert found is not None
        return found


async def _points(database: Database) -> list[ReceptionPoint]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(ReceptionPoint).order_by(ReceptionPoint.id))).all())


async def _actions(database: Database) -> list[tuple[str, str]]:
    async with database.unit_of_work() as session:
        rows = await session.execute(
            select(AuditEntry.action, AuditEntry.subject)
            .where(AuditEntry.action.startswith("feedback.point"))
            .order_by(AuditEntry.id)
        )
        return [(action, subject) for action, subject in rows.all()]


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("head", 200), ("official", 403), (None, 401)])
async def test_who_may_open_the_page(database: Database, role: str | None, status: int) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, role) as client:
        answer = await client.get("/dashboard/points")
        assert answer.status_code == status
        if status == 200:
            assert "Phòng Quản lý vận tải" in answer.text and 'name="desk"' in answer.text


async def test_a_head_makes_points_deactivates_and_reactivates_them_all_audited(database: Database) -> None:
    people = await populate(database)
    office = await _unit_id(database, "Văn phòng")
    async with signed_in_as(database, people, "head", default_locale="en") as client:
        token = csrf_of(await client.get("/dashboard/points"))
        made = await client.post("/dashboard/points", data={"csrf": token, "unit": str(office), "desk": ""})
        assert made.status_code == 303
        desk = unicodedata.normalize("NFD", "Quầy  số 3 – Đất đai")  # NFD and a double space, as pasted
        made = await client.post("/dashboard/points", data={"csrf": token, "unit": str(office), "desk": desk})
        assert made.status_code == 303
        again = await client.post(
            "/dashboard/points", data={"csrf": token, "unit": str(office), "desk": "Quầy số 3 – Đất đai"}
        )
        assert again.status_code == 400 and "already has an active point" in again.text
        long = await client.post(
            "/dashboard/points", data={"csrf": token, "unit": str(office), "desk": "x" * 121}
        )
        assert long.status_code == 400 and "too long" in long.text
        points = await _points(database)
        assert [(p.unit_id, p.desk, p.active) for p in points] == [
            (office, None, True),
            (office, "Quầy số 3 – Đất đai", True),
        ]
        for point in points:
            assert len(point.code) == CODE_LENGTH and normalise_code(point.code.lower()) == point.code
        listing = await client.get("/dashboard/points")
        assert f"{BASE}/r/{points[1].code}" in listing.text and "Quầy số 3 – Đất đai" in listing.text
        off = await client.post(
            f"/dashboard/points/{points[1].id}/active", data={"csrf": token, "active": "0"}
        )
        assert off.status_code == 303
        assert [p.active for p in await _points(database)] == [True, False]
        # Inactive: the same desk may get a new point (a new poster), and the old one may come back later.
        on = await client.post(
            f"/dashboard/points/{points[1].id}/active", data={"csrf": token, "active": "1"}
        )
        assert on.status_code == 303
        assert [p.active for p in await _points(database)] == [True, True]
    assert await _actions(database) == [
        ("feedback.point.create", f"reception_point:{points[0].id}"),
        ("feedback.point.create", f"reception_point:{points[1].id}"),
        ("feedback.point.deactivate", f"reception_point:{points[1].id}"),
        ("feedback.point.activate", f"reception_point:{points[1].id}"),
    ]


async def test_another_units_points_are_out_of_a_heads_reach(database: Database) -> None:
    people = await populate(database)
    transport = await _unit_id(database, "Phòng Quản lý vận tải")
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/dashboard/points"))
        made = await client.post("/dashboard/points", data={"csrf": token, "unit": str(transport)})
        assert made.status_code == 303
    (point,) = await _points(database)
    # Hoa heads Văn phòng, beside Phòng Quản lý vận tải: its point, its poster and its unit are not hers.
    async with web_client(database) as client:
        token = csrf_of(await sign_in(client, database, people["Lê Thị Hoa"]))
        assert point.code not in (await client.get("/dashboard/points")).text
        assert (await client.get(f"/dashboard/points/{point.id}/poster.pdf")).status_code == 404
        off = await client.post(f"/dashboard/points/{point.id}/active", data={"csrf": token, "active": "0"})
        assert off.status_code == 404
        made = await client.post("/dashboard/points", data={"csrf": token, "unit": str(transport)})
        assert made.status_code == 404
    assert [p.active for p in await _points(database)] == [True]
    assert len(await _points(database)) == 1


def _qr_modules_read_back(pdf: bytes, url: str) -> tuple[list[list[bool]], list[list[bool]]]:
    """(the modules read from the rendered page at each module's centre, the modules `url` encodes)."""
    expected = [[bool(v) for v in row] for row in segno.make_qr(url, error="q", boost_error=True).matrix]
    modules = len(expected) + 2 * QR_BORDER
    scale = 4.0
    image = pdfium.PdfDocument(pdf)[0].render(scale=scale).to_pil().convert("L")
    px_per_mm = scale * 72 / MM_PER_INCH
    unit = QR_SIZE / modules * px_per_mm
    left = (210 - QR_SIZE) / 2 * px_per_mm
    # The code's top: the first row where the top-left finder pattern's left column is dark.
    x = int(left + (QR_BORDER + 0.5) * unit)
    y_first = next(y for y in range(int(50 * px_per_mm), image.height) if image.getpixel((x, y)) < 128)
    top = y_first - QR_BORDER * unit
    read = [
        [
            image.getpixel(
                (int(left + (QR_BORDER + c + 0.5) * unit), int(top + (QR_BORDER + r + 0.5) * unit))
            )
            < 128
            for c in range(len(expected))
        ]
        for r in range(len(expected))
    ]
    return read, expected


async def test_the_poster_prints_the_unit_the_desk_the_address_and_a_qr_code_of_it(
    database: Database,
) -> None:
    people = await populate(database)
    office = await _unit_id(database, "Văn phòng")
    async with signed_in_as(database, people, "head", default_locale="en") as client:
        token = csrf_of(await client.get("/dashboard/points"))
        await client.post("/dashboard/points", data={"csrf": token, "unit": str(office), "desk": "Quầy số 3"})
        (point,) = await _points(database)
        answer = await client.get(f"/dashboard/points/{point.id}/poster.pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert point.code in answer.headers["content-disposition"]
    text = PdfReader(io.BytesIO(answer.content)).pages[0].extract_text()
    address = f"testserver/r/{point.code}"
    for expected in ("SỞ GTVT", "Văn phòng", "Quầy số 3", address):
        assert expected in text, expected
    read, encoded = _qr_modules_read_back(answer.content, f"{BASE}/r/{point.code}")
    assert read == encoded
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdfium.PdfDocument(answer.content)[0].render(scale=1.2).to_pil().save(ARTIFACTS / "poster.png")
