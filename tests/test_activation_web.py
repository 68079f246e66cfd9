"""The activation codes' pages: who may open them, a unit's codes issued as PDF slips or an Excel list
(audited, re-issuing replaces), and an official's own code to add Zalo from their page."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from compliance.office.accounts import ChannelUser
from compliance.office.activation import Outcome, redeem
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Channel, Unit
from storage.models_broadcast import AuditEntry
from storage.models_zalo import ActivationCode
from tests.web_admin_office import populate, signed_in_as
from tests.web_client import csrf_of

CODE = re.compile(r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4})</strong>")


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("head", 403), ("official", 403), (None, 401)])
async def test_who_may_open_the_page(database: Database, role: str | None, status: int) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, role) as client:
        answer = await client.get("/admin/activation")
        assert answer.status_code == status
        if role == "admin":
            assert "Văn phòng" in answer.text and 'name="format"' in answer.text
            console = await client.get("/admin")
            assert 'href="/admin/activation"' in console.text


async def _unit_code(database: Database, name: str) -> str:
    async with database.unit_of_work() as session:
        code = await session.scalar(select(Unit.code).where(Unit.name == name))
        assert code is not None
        return code


async def test_a_units_slips_and_list_are_issued_audited_and_replace_earlier_codes(
    database: Database,
) -> None:
    people = await populate(database)
    top = await _unit_code(database, "Sở GTVT")
    office = await _unit_code(database, "Văn phòng")
    async with signed_in_as(database, people, "admin") as client:
        form = await client.get("/admin/activation")
        token = csrf_of(form)
        fields = {
            "csrf": token,
            "unit": top,
            "subunits": "1",
            "not_joined": "1",
            "bot_name": "Cam Kết Hà Nam",
        }
        pdf = await client.post("/admin/activation", data={**fields, "format": "pdf"})
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert f'filename="activation-codes-{top}.pdf"' in pdf.headers["content-disposition"]
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        for name in ("Nguyễn Thị Lan", "Đỗ Quang Huy", "Vũ Thị Quản", "Trần Văn Bình", "Cam Kết Hà Nam"):
            assert name in text
        slip_codes = re.findall(r"[A-Z0-9]{4}-[A-Z0-9]{4}", text)
        assert len(slip_codes) == len(people) == 6
        # Only Văn phòng, as a list: new codes for its people; their slips' codes stop working.
        xlsx = await client.post(
            "/admin/activation",
            data={"csrf": token, "code": office, "not_joined": "1", "bot_name": "x", "format": "xlsx"},
        )
        assert xlsx.status_code == 200 and xlsx.headers["content-type"].startswith("application/vnd.openxml")
        rows = list(load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows(values_only=True))
        listed = {str(row[0]): str(row[2]) for row in rows[2:]}
        assert set(listed) == {"Lê Thị Hoa", "Phạm Minh Châu", "Vũ Thị Quản"}
        bad = await client.post("/admin/activation", data={**fields, "unit": "", "format": "pdf"})
        assert bad.status_code == 400 and 'id="unit-error"' in bad.text
        odd = await client.post("/admin/activation", data={**fields, "format": "docx"})
        assert odd.status_code == 400 and 'id="format-error"' in odd.text
    async with database.unit_of_work() as session:
        audits = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "activation.issue"))
        ).all()
        assert [(a.subject, (a.after or {})["count"]) for a in audits] == [
            (f"unit:{await _unit_id(database, 'Sở GTVT')}", 6),
            (f"unit:{await _unit_id(database, 'Văn phòng')}", 3),
        ]
        live = await session.scalar(
            select(func.count()).select_from(ActivationCode).where(ActivationCode.revoked_at.is_(None))
        )
        assert live == 6
        outcomes = {}
        for number, (name, code) in enumerate(listed.items()):
            user = ChannelUser(Channel.ZALO, f"z{number}")
            done = await redeem(session, code_text=code, user=user, display_name=name, now=utcnow())
            outcomes[name] = (done.outcome, done.full_name)
    assert outcomes == {name: (Outcome.LINKED, name) for name in listed}


async def _unit_id(database: Database, name: str) -> int:
    async with database.unit_of_work() as session:
        unit_id = await session.scalar(select(Unit.id).where(Unit.name == name))
        assert unit_id is not None
        return unit_id


async def test_an_official_gets_their_own_code_from_their_page(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "official") as client:
        home = await client.get("/")
        assert 'action="/zalo-code"' in home.text
        first = await client.post("/zalo-code", data={"csrf": csrf_of(home)})
        assert first.status_code == 200
        match = CODE.search(first.text)
        assert match is not None
        second = CODE.search((await client.post("/zalo-code", data={"csrf": csrf_of(home)})).text)
        assert second is not None and second[1] != match[1]
        refused = await client.post("/zalo-code", data={"csrf": "0" * 64})
        assert refused.status_code == 403
    async with database.unit_of_work() as session:
        user = ChannelUser(Channel.ZALO, "lan-zalo")
        old = await redeem(session, code_text=match[1], user=user, display_name="Lan", now=utcnow())
        assert old.outcome is Outcome.EXPIRED  # replaced by the second
        done = await redeem(session, code_text=second[1], user=user, display_name="Lan", now=utcnow())
        assert (done.outcome, done.official_id) == (Outcome.LINKED, people["Nguyễn Thị Lan"])
