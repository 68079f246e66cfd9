"""The signing-deadline page: the days to sign for new joiners, opening, extending and closing a yearly
campaign; refusals beside their field with nothing changed; administrators only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from compliance.pledge import deadlines
from compliance.pledge import signing as pledges
from storage.clock import local_today
from storage.engine import Database
from storage.models import Unit
from storage.models_broadcast import AuditEntry
from storage.models_campaign import SigningCampaign
from tests.pledge_files import template
from tests.web_admin_office import populate, signed_in_as
from tests.web_client import csrf_of

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


async def _office(database: Database) -> tuple[dict[str, int], int]:
    people = await populate(database)
    async with database.unit_of_work() as session:
        published = await pledges.publish(
            session, template=template(), unit=None, material=False, publisher_id=None
        )
        assert published.version is not None
        return people, published.version.id


async def _state(database: Database) -> tuple[int, int, list[tuple[str, object, object]]]:
    async with database.unit_of_work() as session:
        days = await deadlines.days_to_sign(session)
        rows = int(await session.scalar(select(func.count()).select_from(SigningCampaign)) or 0)
        lines = (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action.like("campaign.%") | (AuditEntry.action == "settings.days_to_sign"))
                .order_by(AuditEntry.id)
            )
        ).all()
    return days, rows, [(a.action, a.before, a.after) for a in lines]


async def test_the_days_to_sign_are_set_on_the_page(database: Database) -> None:
    people, _version = await _office(database)
    async with signed_in_as(database, people, "admin") as client:
        page = await client.get("/admin/campaigns")
        assert page.status_code == 200 and 'name="days"' in page.text and 'value="5"' in page.text
        token = csrf_of(page)
        for bad in ("abc", "0", "61", ""):
            refused = await client.post("/admin/campaigns/days", data={"csrf": token, "days": bad})
            assert refused.status_code == 400 and 'aria-invalid="true"' in refused.text
        assert await _state(database) == (5, 0, [])
        saved = await client.post("/admin/campaigns/days", data={"csrf": token, "days": "7"})
        assert saved.status_code == 303
        assert 'value="7"' in (await client.get("/admin/campaigns")).text
    assert await _state(database) == (7, 0, [("settings.days_to_sign", {"days": 5}, {"days": 7})])


async def test_a_campaign_is_opened_extended_and_closed(database: Database) -> None:
    people, version_id = await _office(database)
    start, end = local_today() + timedelta(days=10), local_today() + timedelta(days=40)
    form = {
        "name": HOSTILE,
        "year": str(start.year),
        "version": str(version_id),
        "starts_on": start.isoformat(),
        "ends_on": end.isoformat(),
        "units": "",
    }
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/admin/campaigns"))
        bad = {
            "ends_on": {"ends_on": (start - timedelta(days=1)).isoformat()},
            "version": {"version": "9999"},
            "units": {"units": "no-such-unit"},
            "name": {"name": "   "},
            "year": {"year": "abc"},
        }
        for field, change in bad.items():
            refused = await client.post("/admin/campaigns/open", data={"csrf": token, **form, **change})
            assert refused.status_code == 400, field
            assert f'id="{field}-error"' in refused.text, field
        assert (await _state(database))[1:] == (0, [])
        opened = await client.post("/admin/campaigns/open", data={"csrf": token, **form})
        assert opened.status_code == 303
        shown = await client.get("/admin/campaigns")
        assert "<script>alert" not in shown.text and "&lt;script&gt;" in shown.text
        # the same template and days again, for a unit of the office: it overlaps
        async with database.unit_of_work() as session:
            vp = await session.scalar(select(Unit.code).where(Unit.name == "Văn phòng"))
            campaign_id = await session.scalar(select(SigningCampaign.id))
        overlap = {**form, "name": "Văn phòng", "units": str(vp)}
        refused = await client.post("/admin/campaigns/open", data={"csrf": token, **overlap})
        assert refused.status_code == 400 and 'id="ends_on-error"' in refused.text
        earlier = await client.post(
            f"/admin/campaigns/{campaign_id}/extend",
            data={"csrf": token, "ends_on": (end - timedelta(days=1)).isoformat()},
        )
        assert earlier.status_code == 400 and f'id="extend-{campaign_id}-error"' in earlier.text
        later = end + timedelta(days=7)
        extended = await client.post(
            f"/admin/campaigns/{campaign_id}/extend", data={"csrf": token, "ends_on": later.isoformat()}
        )
        assert extended.status_code == 303
        closed = await client.post(f"/admin/campaigns/{campaign_id}/close", data={"csrf": token})
        assert closed.status_code == 303
        again = await client.post(f"/admin/campaigns/{campaign_id}/close", data={"csrf": token})
        assert again.status_code == 400
        assert (await client.post("/admin/campaigns/9999/close", data={"csrf": token})).status_code == 400
    _days, rows, lines = await _state(database)
    assert rows == 1
    assert [action for action, _b, _a in lines] == ["campaign.open", "campaign.extend", "campaign.close"]
    assert lines[1][1:] == ({"ends_on": end.isoformat()}, {"ends_on": later.isoformat()})


@pytest.mark.parametrize("role", ["head", "official", None])
async def test_only_administrators(database: Database, role: str | None) -> None:
    people, version_id = await _office(database)
    expected = 401 if role is None else 403
    async with signed_in_as(database, people, role) as client:
        assert (await client.get("/admin/campaigns")).status_code == expected
        token = csrf_of(await client.get("/")) if role else ""
        start = local_today() + timedelta(days=3)
        posts = [
            ("/admin/campaigns/days", {"days": "9"}),
            (
                "/admin/campaigns/open",
                {
                    "name": "X",
                    "year": str(start.year),
                    "version": str(version_id),
                    "starts_on": start.isoformat(),
                    "ends_on": (start + timedelta(days=5)).isoformat(),
                },
            ),
        ]
        for path, form in posts:
            assert (await client.post(path, data={"csrf": token, **form})).status_code == expected
    assert await _state(database) == (5, 0, [])


async def test_the_console_links_the_page(database: Database) -> None:
    people, _version = await _office(database)
    async with signed_in_as(database, people, "admin") as client:
        assert 'href="/admin/campaigns"' in (await client.get("/admin")).text
