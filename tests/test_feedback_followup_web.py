"""The head's follow-up on the web: the rating's page (only for ratings of units the reader manages, the
same 404 otherwise), the contact only with the citizen's consent, hostile text escaped, a follow-up recorded
(audited) and listed, refusals that change nothing; the satisfaction page and the dashboard's section."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from storage.clock import local_today
from storage.engine import Database
from storage.models import Unit
from storage.models_broadcast import AuditEntry
from storage.models_feedback import CitizenRating, RatingFollowUp, ReceptionPoint
from tests.web_admin_office import populate, signed_in_as
from tests.web_client import csrf_of, sign_in, web_client

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HOSTILE = '<script>alert("x")</script> & </p>'
HOA = "Lê Thị Hoa"  # Văn phòng's head


async def ratings(database: Database) -> dict[str, int]:
    """A flagged rating with a consented contact at Văn phòng's desk, a satisfied one there, and a flagged
    one at Phòng Quản lý vận tải (out of Hoa's reach). Created today, so the week's figures hold them."""
    now = datetime.combine(local_today(), time(9), VN).astimezone(UTC)
    async with database.unit_of_work() as session:
        units = {u.name: u.id for u in (await session.scalars(select(Unit))).all()}
        office = ReceptionPoint(unit_id=units["Văn phòng"], desk="Quầy 1", code="VP1")
        transport = ReceptionPoint(unit_id=units["Phòng Quản lý vận tải"], code="QLVT")
        session.add_all([office, transport])
        await session.flush()
        common = {"trips": 2, "address_hash": "a" * 64, "created_at": now}
        flagged = CitizenRating(
            point_id=office.id, unit_id=office.unit_id, overall=1, attitude=2, asked_beyond_rules=True,
            comment=HOSTILE, dossier_number="000.00.12.H56-261130-0001", contact="0912 345 678",
            contact_consent=True, flagged=True, **common,
        )  # fmt: skip
        quiet = CitizenRating(
            point_id=office.id, unit_id=office.unit_id, overall=5, attitude=5, comment="Nhanh, chu đáo",
            **common,
        )  # fmt: skip
        elsewhere = CitizenRating(
            point_id=transport.id, unit_id=transport.unit_id, overall=2, attitude=4, flagged=True,
            created_at=now - timedelta(minutes=5), trips=1, address_hash="b" * 64,
        )  # fmt: skip
        session.add_all([flagged, quiet, elsewhere])
        await session.flush()
        return {"flagged": flagged.id, "quiet": quiet.id, "elsewhere": elsewhere.id, **units}


async def follow_ups(database: Database) -> list[RatingFollowUp]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(RatingFollowUp).order_by(RatingFollowUp.id))).all())


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("head", 200), ("official", 403), (None, 401)])
async def test_who_may_open_a_ratings_page(database: Database, role: str | None, status: int) -> None:
    people = await populate(database)
    ids = await ratings(database)
    async with signed_in_as(database, people, role) as client:
        answer = await client.get(f"/dashboard/ratings/{ids['flagged']}")
        assert answer.status_code == status


async def test_a_head_reads_the_rating_and_records_the_follow_up(database: Database) -> None:
    people = await populate(database)
    ids = await ratings(database)
    async with web_client(database, default_locale="en") as client:
        await sign_in(client, database, people[HOA])
        page = await client.get(f"/dashboard/ratings/{ids['flagged']}")
        assert page.status_code == 200
        assert HOSTILE not in page.text and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
        assert "0912 345 678" in page.text and "000.00.12.H56-261130-0001" in page.text
        assert "Very dissatisfied" in page.text and "Quầy 1" in page.text
        # Out of her reach (the Phòng is not below Văn phòng), unknown, or not a number: the same 404.
        for other in (ids["elsewhere"], 999_999, "abc"):
            assert (await client.get(f"/dashboard/ratings/{other}")).status_code == 404
        token = csrf_of(page)
        empty = await client.post(f"/dashboard/ratings/{ids['flagged']}", data={"csrf": token, "note": "  "})
        assert empty.status_code == 400 and "Tick what was done" in empty.text
        long = await client.post(
            f"/dashboard/ratings/{ids['flagged']}", data={"csrf": token, "note": "x" * 2001}
        )
        assert long.status_code == 400 and "too long" in long.text
        assert (
            await client.post(
                f"/dashboard/ratings/{ids['elsewhere']}", data={"csrf": token, "contacted": "1"}
            )
        ).status_code == 404
        assert (
            await client.post(f"/dashboard/ratings/{ids['flagged']}", data={"contacted": "1"})
        ).status_code == 403
        assert await follow_ups(database) == []
        first = await client.post(
            f"/dashboard/ratings/{ids['flagged']}",
            data={"csrf": token, "contacted": "1", "note": "Đã gọi điện"},
        )
        assert first.status_code == 303
        second = await client.post(
            f"/dashboard/ratings/{ids['flagged']}", data={"csrf": token, "resolved": "1", "note": HOSTILE}
        )
        shown = await client.get(second.headers["location"])
        assert "The follow-up is recorded." in shown.text and "Đã gọi điện" in shown.text
        assert HOSTILE not in shown.text
        listing = await client.get("/dashboard/satisfaction?period=week")
        assert listing.status_code == 200
    entries = await follow_ups(database)
    assert [(e.contacted, e.resolved, e.note, e.by_id) for e in entries] == [
        (True, False, "Đã gọi điện", people[HOA]),
        (False, True, HOSTILE, people[HOA]),
    ]
    async with database.unit_of_work() as session:
        audited = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "feedback.followup"))
        ).all()
    assert [(a.subject, a.actor_id) for a in audited] == [(f"rating:{ids['flagged']}", people[HOA])] * 2
    # The list shows Hoa's own flagged rating, resolved, and not the Phòng's.
    assert f"/dashboard/ratings/{ids['flagged']}" in listing.text
    assert f"/dashboard/ratings/{ids['elsewhere']}" not in listing.text
    assert "Resolved" in listing.text


async def test_no_contact_without_consent(database: Database) -> None:
    people = await populate(database)
    ids = await ratings(database)
    async with database.unit_of_work() as session:
        rating = await session.get(CitizenRating, ids["flagged"])
        assert rating is not None
        # A row as an older form might have left it: the page still shows no contact without the consent.
        rating.contact, rating.contact_consent = None, False
    async with signed_in_as(database, people, "head", default_locale="en") as client:
        page = await client.get(f"/dashboard/ratings/{ids['flagged']}")
    assert "0912 345 678" not in page.text and "left no contact" in page.text


async def test_the_satisfaction_page_and_the_dashboards_section(database: Database) -> None:
    people = await populate(database)
    ids = await ratings(database)
    async with signed_in_as(database, people, "head", default_locale="en") as client:  # Bình, the Sở's head
        board = await client.get("/dashboard?period=week")
        page = await client.get("/dashboard/satisfaction?period=week")
        office = await client.get(f"/dashboard/satisfaction?period=week&unit={ids['Văn phòng']}")
        assert (await client.get("/dashboard/satisfaction?period=never")).status_code == 400
    assert board.status_code == 200
    assert "3 ratings, satisfaction index 33%; flagged for follow-up: 2, not resolved: 2." in board.text
    assert page.status_code == 200
    # Overall: one very satisfied, one dissatisfied, one very dissatisfied, in the table and the chart.
    assert "Very satisfied: 1 (33%)" in page.text and "Very dissatisfied: 1 (33%)" in page.text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page.text and "<script" not in page.text.lower()
    assert "Nhanh, chu đáo" in page.text and "&lt;script&gt;" in page.text  # the comments, escaped
    assert "0912 345 678" not in page.text  # contacts only on the rating's own page
    assert f"/dashboard/ratings/{ids['elsewhere']}" in page.text
    assert office.status_code == 200 and f"/dashboard/ratings/{ids['elsewhere']}" not in office.text
