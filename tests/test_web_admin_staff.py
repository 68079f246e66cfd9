"""The staff-list import on the web: the dry run, a refused file, the mended file imported."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from handlers.web.admin.staff_jobs import ImportJob, ImportJobs
from storage.engine import Database
from storage.models import Official, StaffUpload, Unit
from storage.models_broadcast import AuditEntry
from tests.staff_files import csv_bytes, xlsx_bytes
from tests.web_admin_office import populate, signed_in_as
from tests.web_client import BASE, csrf_of, sign_in, web_app

NEW = [
    ["Hồ Văn Mới", "Chuyên viên", "Sở GTVT / Phòng Kế hoạch", "0912 000 020", "", "cán bộ"],
    ["Lý Thị Hai", "Chuyên viên", "Sở GTVT / Phòng Kế hoạch", "0912 000 021", "", ""],
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _count(database: Database, model: type) -> int:
    async with database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _latest_upload(database: Database) -> int:
    async with database.unit_of_work() as session:
        upload_id = await session.scalar(select(func.max(StaffUpload.id)))
        assert upload_id is not None
        return int(upload_id)


async def _finished(client: httpx.AsyncClient, path: str) -> httpx.Response:
    """The status page, followed while it refreshes itself."""
    for _attempt in range(200):
        page = await client.get(path)
        if 'http-equiv="refresh"' not in page.text:
            return page
        await asyncio.sleep(0.05)
    raise AssertionError("the import did not finish")


async def test_a_file_with_a_bad_row_is_refused_then_the_mended_file_imports(database: Database) -> None:
    people = await populate(database)
    before = await _count(database, Official)
    bad = [NEW[0], ["Lý Thị Hai", "Chuyên viên", "Sở GTVT / Phòng Kế hoạch", "12345", "", "giám đốc"]]
    async with signed_in_as(database, people, "admin") as client:
        form = await client.get("/admin/staff")
        token = csrf_of(form)
        preview = await client.post(
            "/admin/staff", data={"csrf": token}, files={"file": ("ds.xlsx", xlsx_bytes(bad), XLSX)}
        )
        assert preview.status_code == 200
        # Row 3 of the file: the phone (Số điện thoại) and the role (Vai trò) are wrong.
        assert '<td class="num">3</td><td>Số điện thoại</td>' in preview.text
        assert '<td class="num">3</td><td>Vai trò</td>' in preview.text
        assert "12345" in preview.text and "/confirm" not in preview.text
        bad_id = await _latest_upload(database)
        assert (await client.get(f"/admin/staff/{bad_id}")).text.count("Vai trò</td>") == 1  # kept
        forced = await client.post(f"/admin/staff/{bad_id}/confirm", data={"csrf": token})
        assert forced.status_code == 400
        assert await _count(database, Official) == before

        preview = await client.post(
            "/admin/staff", data={"csrf": token}, files={"file": ("ds.csv", csv_bytes(NEW), "text/csv")}
        )
        assert 'id="to-create">2<' in preview.text and 'id="new-units">1<' in preview.text
        assert await _count(database, Official) == before  # a dry run changes nothing
        # The refused upload is no longer waiting: only the newest can be confirmed.
        assert (await client.get(f"/admin/staff/{bad_id}")).status_code == 404
        upload_id = await _latest_upload(database)
        assert f'action="/admin/staff/{upload_id}/confirm"' in preview.text
        started = await client.post(f"/admin/staff/{upload_id}/confirm", data={"csrf": token})
        assert started.status_code == 303 and started.headers["location"] == f"/admin/staff/{upload_id}"
        done = await _finished(client, started.headers["location"])
        assert done.status_code == 200 and 'id="import-done"' in done.text
        again = await client.post(f"/admin/staff/{upload_id}/confirm", data={"csrf": token})
        assert again.status_code == 303  # the finished import is shown again, nothing re-applied
    assert await _count(database, Official) == before + 2
    async with database.unit_of_work() as session:
        assert await session.scalar(select(Unit).where(Unit.name == "Phòng Kế hoạch")) is not None
        statuses = (await session.scalars(select(StaffUpload.status).order_by(StaffUpload.id))).all()
        assert statuses == ["discarded", "applied"]
        audited = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "staff.import"))).all()
        assert len(audited) == 2 and audited[-1].actor_id == people["Vũ Thị Quản"]
        assert (audited[-1].after or {}).get("created") == 2


async def test_an_upload_waits_in_the_database_across_a_restart(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/admin/staff"))
        await client.post(
            "/admin/staff", data={"csrf": token}, files={"file": ("ds.csv", csv_bytes(NEW), "text/csv")}
        )
    upload_id = await _latest_upload(database)
    # A new application (a restarted process), the same admin signed in again: the upload still waits.
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/admin/staff"))
        waiting = await client.get(f"/admin/staff/{upload_id}")
        assert waiting.status_code == 200 and 'id="to-create">2<' in waiting.text
        started = await client.post(f"/admin/staff/{upload_id}/confirm", data={"csrf": token})
        assert 'id="import-done"' in (await _finished(client, started.headers["location"])).text
    async with signed_in_as(database, people, "admin") as client:
        # The outcome lived in the finished process; the upload is no longer waiting.
        assert (await client.get(f"/admin/staff/{upload_id}")).status_code == 404


async def test_wrong_files_are_refused_beside_the_field_and_change_nothing(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin", upload_limit=50_000) as client:
        token = csrf_of(await client.get("/admin/staff"))
        cases = [
            ("ds.pdf", b"%PDF-1.4 whatever", 400),
            ("ds.xlsx", b"MZ\x90\x00 not a workbook", 400),  # the right name, not the right content
            ("ds.xlsx", b"PK\x03\x04 broken zip", 400),  # looks like one, cannot be read
            ("ds.csv", "Tên,Điện thoại\nA,0912\n".encode(), 400),  # columns missing
            ("ds.csv", b"x" * 60_000, 413),
        ]
        for name, content, status in cases:
            sent = await client.post(
                "/admin/staff",
                data={"csrf": token},
                files={"file": (name, content, "application/octet-stream")},
            )
            assert sent.status_code == status, (name, sent.text)
        empty = await client.post("/admin/staff", data={"csrf": token})
        assert empty.status_code == 400
        missing = await client.post(
            "/admin/staff",
            data={"csrf": token},
            files={"file": ("ds.csv", "Tên,Điện thoại\n".encode(), "text/csv")},
        )
        assert 'id="file-error"' in missing.text and "Số điện thoại" in missing.text
    assert await _count(database, StaffUpload) == 0


async def test_hostile_names_in_a_staff_list_come_out_escaped(database: Database) -> None:
    people = await populate(database)
    hostile = [
        ["<script>alert(1)</script>", "", '"><img src=x onerror=alert(1)>', "0912 000 030", "x", "<b>"]
    ]
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/admin/staff"))
        preview = await client.post(
            "/admin/staff", data={"csrf": token}, files={"file": ("ds.xlsx", xlsx_bytes(hostile), XLSX)}
        )
        assert "<b>" not in preview.text.split("<main", 1)[1].replace("<b>Staff", "")
        assert "&lt;b&gt;" in preview.text and "<img src=x" not in preview.text


async def test_a_running_import_shows_its_progress_on_a_page_that_refreshes_itself(
    database: Database,
) -> None:
    people = await populate(database)
    app = web_app(database)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        await sign_in(client, database, people["Vũ Thị Quản"])
        jobs = ImportJobs()
        # A job half-way, as a 50 000-row import is for most of a minute.
        jobs._jobs[77] = ImportJob(77, people["Vũ Thị Quản"], done=25_000, total=50_000)
        app.state.staff_imports = jobs
        running = await client.get("/admin/staff/77")
        assert running.status_code == 200
        assert '<meta http-equiv="refresh" content="2">' in running.text
        assert (
            'id="import-progress"' in running.text and '<progress max="50000" value="25000">' in running.text
        )
    async with signed_in_as(database, people, "official") as other:
        assert (await other.get("/admin/staff/77")).status_code == 403
