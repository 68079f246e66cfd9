"""Who may open each admin page and do each admin action: administrators only. Officials and heads are
refused (403), strangers asked to sign in (401), and a refusal changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.engine import Database
from storage.models import StaffUpload, Unit
from storage.models_broadcast import AuditEntry
from storage.models_web import WebSignIn
from tests.web_admin_office import populate, signed_in_as
from tests.web_client import csrf_of

PAGES = [
    "/admin",
    "/admin/staff",
    "/admin/units",
    "/admin/pledges",
    "/admin/calendar",
    "/admin/schedules",
    "/admin/audit",
    "/admin/export",
    "/admin/export/download?period=2026",
    "/admin/signin-link?q=lan",
]
# Each action with a form an administrator's could have sent (the unit ids are filled in below).
ACTIONS = [
    ("/admin/staff", {}),
    ("/admin/staff/cancel", {}),
    ("/admin/staff/1/confirm", {}),
    ("/admin/units/add", {"code": "moi", "name": "Mới"}),
    ("/admin/units/{unit}/rename", {"name": "Đổi tên"}),
    ("/admin/units/{unit}/move", {"parent": ""}),
    ("/admin/units/{unit}/head", {"official": "{official}"}),
    ("/admin/pledges/preview", {}),
    ("/admin/pledges/publish", {"name": "thu-1.yaml", "yaml": "code: thu", "mode": "material"}),
    ("/admin/calendar/add", {"day": "2027-03-03", "kind": "off"}),
    ("/admin/calendar/remove", {"day": "2027-03-03"}),
    ("/admin/schedules", {"reminder_time": "07:00"}),
    ("/admin/signin-link", {"official": "{official}"}),
]
EXPECTED = {"official": 403, "head": 403, None: 401}


async def _changes(database: Database) -> tuple[int, int, int, int]:
    async with database.unit_of_work() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(model))
            for model in (AuditEntry, Unit, StaffUpload, WebSignIn)
        ]
        return tuple(int(c or 0) for c in counts)  # type: ignore[return-value]


@pytest.mark.parametrize("role", ["admin", "head", "official", None])
async def test_the_admin_pages_by_role(database: Database, role: str | None) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, role) as client:
        for path in PAGES:
            answer = await client.get(path)
            expected = 200 if role == "admin" else EXPECTED[role]
            assert answer.status_code == expected, (role, path)


@pytest.mark.parametrize("role", ["head", "official", None])
async def test_the_admin_actions_by_role_are_refused_and_change_nothing(
    database: Database, role: str | None
) -> None:
    people = await populate(database)
    async with database.unit_of_work() as session:
        unit_id = await session.scalar(select(Unit.id).where(Unit.name == "Văn phòng"))
    before = await _changes(database)
    async with signed_in_as(database, people, role) as client:
        # A signed-in head or official has a real form token (from their own page); a stranger has none.
        token = csrf_of(await client.get("/")) if role else ""
        for path, form in ACTIONS:
            filled = {
                key: value.format(official=people["Phạm Minh Châu"])
                for key, value in {**form, "csrf": token}.items()
            }
            answer = await client.post(path.format(unit=unit_id), data=filled)
            assert answer.status_code == EXPECTED[role], (role, path)
    # The one sign-in link of the test's own sign-in is the only new row: no support link was issued.
    after = await _changes(database)
    assert after[:3] == before[:3] and after[3] == before[3] + (1 if role else 0)
