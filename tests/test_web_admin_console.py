"""The admins' console and support's sign-in link."""

from __future__ import annotations

from sqlalchemy import select

from storage.engine import Database
from storage.models_broadcast import AuditEntry
from storage.models_web import WebSignIn
from tests.web_admin_office import populate, signed_in_as
from tests.web_client import csrf_of, web_client

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


async def test_the_console_shows_the_checklist_and_every_page(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin") as client:
        page = await client.get("/admin")
        assert page.status_code == 200
        for href in ("/admin/staff", "/admin/units", "/admin/pledges", "/admin/audit", "/admin/signin-link"):
            assert f'href="{href}"' in page.text
        # Nothing published yet: the pledge step is still to do, the staff list is done (7 on it).
        assert "⬜" in page.text and "✅" in page.text and "7" in page.text


async def test_a_support_link_is_found_by_name_or_phone_issued_once_and_audited(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin") as client:
        by_name = await client.get("/admin/signin-link", params={"q": "thị lan"})
        assert by_name.status_code == 200 and "Nguyễn Thị Lan" in by_name.text
        assert "Trần Văn Bình" not in by_name.text
        by_phone = await client.get("/admin/signin-link", params={"q": "0912.000.004"})
        assert "Nguyễn Thị Lan" in by_phone.text
        nobody = await client.get("/admin/signin-link", params={"q": HOSTILE})
        assert nobody.status_code == 200 and "<script>alert(1)" not in nobody.text
        issued = await client.post(
            "/admin/signin-link", data={"csrf": csrf_of(by_name), "official": str(people["Nguyễn Thị Lan"])}
        )
        assert issued.status_code == 200
        link = issued.text.split('id="link" class="copy" value="', 1)[1].split('"', 1)[0]
        assert link.startswith("http://testserver/signin/")
        form = {"csrf": csrf_of(by_name), "official": "99999"}
        unknown = await client.post("/admin/signin-link", data=form)
        assert unknown.status_code == 404
    async with web_client(database) as lan:
        opened = await lan.get(link.removeprefix("http://testserver"))
        assert opened.status_code == 303
        assert (await lan.post("/signin")).status_code == 303
        home = await lan.get("/")  # she has not answered the privacy notice yet: it comes first
        assert (
            home.headers.get("location") == "/consent"
            and "Nguyễn Thị Lan" in (await lan.get("/consent")).text
        )
    async with database.unit_of_work() as session:
        links = (await session.scalars(select(WebSignIn))).all()
        assert [row.issued_by for row in links if row.official_id == people["Nguyễn Thị Lan"]] == [
            f"admin:{people['Vũ Thị Quản']}"
        ]
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "web.link"))).all()
        assert [(e.subject, e.actor_id) for e in entries] == [
            (f"official:{people['Nguyễn Thị Lan']}", people["Vũ Thị Quản"])
        ]
        assert link.rsplit("/", 1)[1] not in str(entries[0].after)


async def test_a_support_link_without_the_form_token_is_refused(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin") as client:
        refused = await client.post("/admin/signin-link", data={"official": str(people["Nguyễn Thị Lan"])})
        assert refused.status_code == 403
    async with database.unit_of_work() as session:
        assert (await session.scalars(select(AuditEntry).where(AuditEntry.action == "web.link"))).all() == []
