"""Letters to citizens on the web: who may write them for which unit (heads below them, a desk official for
their own unit, nobody else), the form's refusals with nothing stored, preview then issue, the list's
counts, and the PDF downloaded and read back."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
import yaml
from sqlalchemy import func, select

from compliance.feedback import letter_templates
from compliance.feedback.points import create_point
from storage.clock import local_today
from storage.engine import Database
from storage.models import Unit
from storage.models_letters import CitizenLetter
from tests.test_letters import apology_fields, working_day_after
from tests.web_admin_office import populate
from tests.web_client import csrf_of, sign_in, web_client


async def _units(database: Database) -> dict[str, int]:
    async with database.unit_of_work() as session:
        return {unit.name: unit.id for unit in (await session.scalars(select(Unit))).all()}


async def _office_with_desk(database: Database) -> tuple[dict[str, int], dict[str, int]]:
    """People and units; Văn phòng has a reception point (a one-stop desk), Phòng Quản lý vận tải none."""
    people = await populate(database)
    async with database.unit_of_work() as session:
        office = (await session.scalars(select(Unit).where(Unit.name == "Văn phòng"))).one()
        await create_point(session, unit=office, desk=None, actor=None)
    return people, await _units(database)


async def _letters(database: Database) -> list[CitizenLetter]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(CitizenLetter).order_by(CitizenLetter.id))).all())


@pytest.mark.parametrize(
    ("person", "listed", "refused"),
    [
        ("Trần Văn Bình", ["Sở GTVT", "Văn phòng", "Phòng Quản lý vận tải"], []),  # the Sở's head
        ("Lê Thị Hoa", ["Văn phòng"], ["Phòng Quản lý vận tải"]),  # Văn phòng's head
        ("Phạm Minh Châu", ["Văn phòng"], ["Phòng Quản lý vận tải", "Sở GTVT"]),  # at Văn phòng's desk
        ("Nguyễn Thị Lan", [], ["Phòng Quản lý vận tải"]),  # an official of a unit without a desk
    ],
)
async def test_who_may_write_for_which_unit(
    database: Database, person: str, listed: list[str], refused: list[str]
) -> None:
    people, units = await _office_with_desk(database)
    async with web_client(database, default_locale="en") as client:
        home = await sign_in(client, database, people[person])
        assert ('href="/letters"' in home.text) == bool(listed)  # their page links to the letters
        page = await client.get("/letters")
        if not listed:
            assert page.status_code == 404 and "one-stop desk" in page.text
        else:
            assert page.status_code == 200
            offered = set(re.findall(r"/letters/new\?unit=(\d+)&amp;template=xin-loi", page.text))
            assert offered == {str(units[name]) for name in listed}
        for name in refused:
            form = await client.get(f"/letters/new?unit={units[name]}&template=xin-loi")
            assert form.status_code == 404
    async with web_client(database) as stranger:
        assert (await stranger.get("/letters")).status_code == 401


async def test_a_desk_official_fills_previews_and_issues_an_apology(database: Database) -> None:
    people, units = await _office_with_desk(database)
    office = units["Văn phòng"]
    today = local_today()
    new = await working_day_after(database, today + timedelta(days=1))
    async with web_client(database, default_locale="en") as client:
        await sign_in(client, database, people["Phạm Minh Châu"])
        form = await client.get(f"/letters/new?unit={office}&template=xin-loi")
        assert form.status_code == 200
        assert 'value="Chánh Văn phòng"' in form.text and 'value="Lê Thị Hoa"' in form.text  # the unit's head
        token = csrf_of(form)
        fields = {
            "csrf": token,
            "unit": str(office),
            "template": "xin-loi",
            **apology_fields(today, new, reason='<script>alert("x")</script> chờ xác minh'),
        }

        wrong = await client.post(
            "/letters/new", data={**fields, "citizen": "", "new_date": "31/02/2027", "action": "preview"}
        )
        assert wrong.status_code == 400
        assert "Fill in this field." in wrong.text and "There is no such day" in wrong.text
        assert 'value="000.12.34.H05-0007"' in wrong.text  # what was typed is kept
        assert await _letters(database) == []

        preview = await client.post("/letters/new", data={**fields, "action": "preview"})
        assert preview.status_code == 200
        assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in preview.text and "Số: …/PXL" in preview.text
        assert "<script>" not in preview.text and "&lt;script&gt;" in preview.text
        assert await _letters(database) == []  # a preview issues nothing

        back = await client.post("/letters/new", data={**fields, "action": "edit"})
        assert back.status_code == 200 and 'value="Nguyễn Văn An"' in back.text

        issued = await client.post("/letters/new", data={**fields, "version": "1", "action": "issue"})
        assert issued.status_code == 303
        letters = await _letters(database)
        assert len(letters) == 1
        letter = letters[0]
        assert issued.headers["location"] == f"/letters?done={letter.id}"
        assert (letter.unit_id, letter.kind, letter.number, letter.year) == (office, "apology", 1, today.year)
        assert letter.on_time is True and letter.by_id == people["Phạm Minh Châu"]

        listing = await client.get(issued.headers["location"])
        assert "The letter is issued." in listing.text and "Nguyễn Văn An" in listing.text
        cells = re.findall(r'<td class="num">(\d+)</td>', listing.text)
        assert cells[:3] == ["1", "1", "0"]  # apologies, on time, thank-you letters

        pdf = await client.get(f"/letters/{letter.id}/letter.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert f"pxl-{today.year}-1-van-phong.pdf" in pdf.headers["content-disposition"]
        document = pdfium.PdfDocument(pdf.content)
        try:
            text = " ".join(document[0].get_textpage().get_text_range().split())
        finally:
            document.close()
        for expected in (
            "Số: 1/PXL",
            "Nguyễn Văn An",
            new.strftime("%d/%m/%Y"),
            '<script>alert("x")</script>',
        ):
            assert expected in text

    # The Sở's head sees it on the dashboard, counted in the subtree for the period.
    async with web_client(database, default_locale="en") as head:
        await sign_in(head, database, people["Trần Văn Bình"])
        board = await head.get("/dashboard?period=month")
        assert board.status_code == 200
        summary = re.search(r'<p id="letters-summary">([^<]*)', board.text)
        assert summary is not None
        counted = "apologies: 1, of which sent before the promised day: 1; thank-you letters: 0"
        assert counted in summary.group(1)

    # Văn phòng's letters are not another unit's official's to download.
    async with web_client(database) as other:
        await sign_in(other, database, people["Nguyễn Thị Lan"])
        assert (await other.get(f"/letters/{letter.id}/letter.pdf")).status_code == 404


async def test_a_post_for_a_unit_out_of_reach_changes_nothing(database: Database) -> None:
    people, units = await _office_with_desk(database)
    today = local_today()
    new = await working_day_after(database, today + timedelta(days=1))
    async with web_client(database) as client:
        page = await sign_in(client, database, people["Lê Thị Hoa"])
        fields = {
            "csrf": csrf_of(page),
            "template": "xin-loi",
            "action": "issue",
            **apology_fields(today, new),
        }
        for unit in (str(units["Phòng Quản lý vận tải"]), "999999", "abc", ""):
            answer = await client.post("/letters/new", data={**fields, "unit": unit})
            assert answer.status_code == 404
        unknown = await client.post(
            "/letters/new", data={**fields, "unit": str(units["Văn phòng"]), "template": "x"}
        )
        assert unknown.status_code == 404
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(CitizenLetter)) == 0


async def test_an_offices_own_version_is_offered_and_a_broken_file_named(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    people, units = await _office_with_desk(database)
    for name in ("xin-loi-1.yaml", "cam-on-1.yaml"):
        (tmp_path / name).write_bytes((letter_templates.CONTENT_DIR / name).read_bytes())
    own = yaml.safe_load((tmp_path / "xin-loi-1.yaml").read_text(encoding="utf-8"))
    own["version"] = 2
    own["title"] = {"vi": "PHIẾU XIN LỖI (MẪU CỦA XÃ)", "en": "APOLOGY (THE COMMUNE'S)"}
    (tmp_path / "xin-loi-2.yaml").write_text(yaml.safe_dump(own, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(letter_templates, "CONTENT_DIR", tmp_path)
    async with web_client(database, default_locale="en") as client:
        await sign_in(client, database, people["Lê Thị Hoa"])
        form = await client.get(f"/letters/new?unit={units['Văn phòng']}&template=xin-loi")
        assert "PHIẾU XIN LỖI (MẪU CỦA XÃ)" in form.text and "(xin-loi-2)" in form.text
        (tmp_path / "xin-loi-3.yaml").write_text("code: xin-loi\nversion: 3\nkind: [", encoding="utf-8")
        broken = await client.get("/letters")
        assert broken.status_code == 400 and "xin-loi-3.yaml" in broken.text
