"""The star rating on the web: the ranking (a head their subtree, an admin the office) with each figure's
inputs and the rubric's source, its Excel read back, and the admins' entry page (refusals change nothing,
a correction keeps the history)."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from compliance.feedback import star_scores
from handlers.i18n import use_locale
from storage.engine import Database
from storage.models_broadcast import AuditEntry
from storage.models_emulation import EmulationScore
from tests.stars_office import add_star_inputs
from tests.test_reports import office  # noqa: F401 - the fixture
from tests.test_web_dashboard import admin, person, sign_in, unit_id
from tests.web_client import csrf_of, web_client

Q4 = "period=2026Q4"
SOURCE = "54/2025/QĐ-UBND"


@pytest.fixture
async def stars_office(office: Database) -> Database:  # noqa: F811
    await add_star_inputs(office)
    return office


async def test_a_head_sees_their_subtree_with_the_inputs(stars_office: Database) -> None:
    hoa = await person(stars_office, "Lê Thị Hoa")  # head of the Văn phòng
    sibling = await unit_id(stars_office, "phong-quan-ly-van-tai")
    async with web_client(stars_office) as client:
        await sign_in(client, stars_office, hoa)
        page = await client.get(f"/dashboard/stars?{Q4}")
        assert page.status_code == 200
        text = page.text
        assert "Văn phòng" in text and "Phòng Quản lý vận tải" not in text and "Sở GTVT" not in text
        assert SOURCE in text  # the rubric's source wherever the stars are
        assert ">1/2<" in text  # ranked among the Sở's two offices
        assert "78,83" in text or "78.83" in text
        assert "★☆☆☆" in text
        # the inputs: 2 of 3 updates confirmed, 2 of 3 ratings satisfied, the reform entered for Q4
        assert len(re.findall(r"<td>2 \S+ 3</td>", text)) == 2
        assert "<td>Q4: 45</td>" in text or "<td>Quý 4: 45</td>" in text
        assert (await client.get(f"/dashboard/stars?{Q4}&unit={sibling}")).status_code == 404
        assert (await client.get(f"/dashboard/stars.xlsx?{Q4}&unit={sibling}")).status_code == 404
        assert (await client.get("/dashboard/stars?period=2026Q5")).status_code == 400
        assert (await client.get(f"/admin/stars?{Q4}")).status_code == 403


async def test_the_admin_sees_every_unit_and_the_excel_reads_back(stars_office: Database) -> None:
    who = await admin(stars_office)
    async with web_client(stars_office) as client:
        await sign_in(client, stars_office, who)
        page = await client.get(f"/dashboard/stars?{Q4}")
        assert all(name in page.text for name in ("Sở GTVT", "Văn phòng", "Phòng Quản lý vận tải"))
        answer = await client.get(f"/dashboard/stars.xlsx?{Q4}")
    assert answer.status_code == 200
    assert 'filename="star-rating-2026Q4.xlsx"' in answer.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert SOURCE in str(rows[1][0])
    header, lines = rows[3], rows[4:]
    assert len(lines) == 3
    by_name = {line[2]: dict(zip(header, line, strict=True)) for line in lines}
    columns = list(header)
    total, stars = columns[-3], columns[-2]
    vp, qlvt, so = by_name["Văn phòng"], by_name["Phòng Quản lý vận tải"], by_name["Sở GTVT"]
    assert (vp[total], vp[stars], vp[columns[0]], vp[columns[1]]) == (78.83, 1, 1, 2)
    assert (qlvt[total], qlvt[columns[0]]) == (58.75, 2)
    assert (so[total], so[columns[0]], so[columns[1]]) == (26.83, 1, 1)
    # each criterion's inputs beside its points: the first measure is the plan updates confirmed
    assert (vp[columns[5]], vp[columns[6]]) == ("2/3", 10.0)
    satisfaction = [c for c in columns if isinstance(c, str) and c.endswith(("inputs", "đầu vào"))]
    assert any(qlvt[c] in ("no data", "không có số liệu") for c in satisfaction)


async def test_the_admin_enters_and_corrects_a_score(stars_office: Database) -> None:
    who = await admin(stars_office)
    office_id = await unit_id(stars_office, "van-phong")
    async with stars_office.unit_of_work() as session:
        before = await session.scalar(select(func.count()).select_from(EmulationScore))
    async with web_client(stars_office) as client:
        await sign_in(client, stars_office, who)
        assert "78,83" in (await client.get(f"/dashboard/stars?{Q4}")).text  # computed and kept
        page = await client.get(f"/admin/stars?{Q4}&unit={office_id}")
        assert page.status_code == 200 and 'value="45"' in page.text  # the entry in force fills the form
        csrf = csrf_of(page)
        form = {"csrf": csrf, "period": "2026Q4", "unit": str(office_id), "initiatives": "3"}
        for reform, note in (("50,5", "nguồn"), ("abc", "nguồn"), ("44", ""), ("44", "<b>x</b>" * 80)):
            refused = await client.post("/admin/stars", data={**form, "reform": reform, "note": note})
            assert refused.status_code == 400 and 'role="alert"' in refused.text
        saved = await client.post(
            "/admin/stars", data={**form, "reform": "44,25", "note": "<script>x</script> bảng điểm"}
        )
        assert saved.status_code == 303
        page = await client.get(saved.headers["location"])
        assert "&lt;script&gt;x&lt;/script&gt;" in page.text and "<script>x" not in page.text
        # the ranking kept a moment ago is not shown again: the saved score counts at once (45 → 44,25)
        ranking = (await client.get(f"/dashboard/stars?{Q4}")).text
        assert "78,08" in ranking and "78,83" not in ranking
        history = page.text[
            page.text.index('id="history"') : page.text.index("</table>", page.text.index('id="history"'))
        ]
        assert history.count("<tr>") == 3 and history.index("44,25") < history.index(
            "Chỉ số CCHC quý IV/2026"
        )
        assert (
            await client.post("/admin/stars", data={**form, "unit": "999999", "reform": "1"})
        ).status_code == 404
    async with stars_office.unit_of_work() as session:
        after = await session.scalar(select(func.count()).select_from(EmulationScore))
        in_force = await star_scores.current(session, year=2026, quarters=[4])
        audits = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "emulation.score")
        )
    assert after == (before or 0) + 1 and audits == 4  # three by the fixture, one here
    assert (in_force[(office_id, 4)].reform, in_force[(office_id, 4)].initiatives) == (44.25, 3.0)


async def test_who_may_open_the_pages(stars_office: Database) -> None:
    chau = await person(stars_office, "Phạm Minh Châu")  # an official
    async with web_client(stars_office) as client:
        for path in ("/dashboard/stars", "/dashboard/stars.xlsx", "/admin/stars"):
            assert (await client.get(path)).status_code == 401
        await sign_in(client, stars_office, chau)
        for path in ("/dashboard/stars", "/dashboard/stars.xlsx", "/admin/stars"):
            assert (await client.get(path)).status_code == 403


def test_texts_in_english() -> None:
    from compliance.feedback.stars import StarPeriod
    from handlers.views.stars import star_period_text, stars_text

    with use_locale("en"):
        assert star_period_text(StarPeriod(2026, 3)) == "quarter III/2026"
        assert star_period_text(StarPeriod(2026)) == "year 2026"
    assert stars_text(3) == "★★★☆"
