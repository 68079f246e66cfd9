"""Who may open the dashboard's pages and use its action: role × page → status, as a table."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.engine import Database
from storage.models import OutboxMessage
from tests.test_reports import office  # noqa: F401 - the fixture
from tests.test_web_dashboard import admin, in_week, person, sign_in, unit_id  # noqa: F401 - in_week: fixture
from tests.web_client import CSRF, web_client

# what each one opens: an official (Châu), a head (Hoa, of the Văn phòng), an admin, a stranger (no session)
PAGES = (
    "/dashboard",
    "/dashboard/people?status=not_joined",
    "/dashboard/report.xlsx",
    "/dashboard/chart.svg",
)
TABLE = {
    "official": {"pages": 403, "sibling": 403, "nudge": 403},
    "head": {"pages": 200, "sibling": 404, "nudge": 303},
    "admin": {"pages": 200, "sibling": 200, "nudge": 303},
    "stranger": {"pages": 401, "sibling": 401, "nudge": 401},
}


@pytest.mark.parametrize("role", list(TABLE))
async def test_the_authorization_table(office: Database, in_week: None, role: str) -> None:  # noqa: F811
    expected = TABLE[role]
    sibling = await unit_id(office, "phong-quan-ly-van-tai")
    who = {
        "official": await person(office, "Phạm Minh Châu"),
        "head": await person(office, "Lê Thị Hoa"),
        "admin": await admin(office),
    }.get(role)
    async with web_client(office) as client:
        csrf = ""
        if who is not None:
            await sign_in(client, office, who)
            # any signed-in page carries the session's form token (the footer's sign-out form)
            found = CSRF.search((await client.get("/dashboard")).text)
            csrf = found.group(1) if found else ""
        for path in PAGES:
            assert (await client.get(path)).status_code == expected["pages"], (role, path)
            joiner = "&" if "?" in path else "?"
            answer = await client.get(f"{path}{joiner}unit={sibling}")
            assert answer.status_code == expected["sibling"], (role, path, "sibling")
        nudged = await client.post("/dashboard/nudge", data={"csrf": csrf, "unit": "", "period": "week"})
        assert nudged.status_code == expected["nudge"], (role, "nudge")
        nudged = await client.post(
            "/dashboard/nudge", data={"csrf": csrf, "unit": str(sibling), "period": "week"}
        )
        sibling_nudge = 303 if role == "admin" else expected["sibling"]
        assert nudged.status_code == sibling_nudge, (role, "nudge sibling")
    async with office.unit_of_work() as session:
        planned = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "nudge")
        )
    # refused: nothing planned; allowed: the reminders of those in reach, at most once a day each
    assert (planned or 0) == {"official": 0, "stranger": 0, "head": 1, "admin": 2}[role]
