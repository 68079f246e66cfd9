"""The citizens' form's test scene: the small office of tests.staff_files with reception points, a client
on the public pages (one device: its own cookie jar, one client address), and the form filled as a person
fills it."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import select
from starlette.applications import Starlette

from compliance.feedback import abuse
from compliance.feedback.points import create_point
from storage.engine import Database
from storage.models import Unit
from storage.models_feedback import CitizenRating
from tests.web_admin_office import populate
from tests.web_client import BASE, web_app

TOKEN = re.compile(r'name="form_token" value="([0-9]+\.[0-9a-f]{32})"')
# A form given out this long ago passes the minimum time to fill without the test waiting for it.
FILLED_FOR = 30


async def office_with_points(database: Database) -> tuple[dict[str, int], dict[str, str]]:
    """(people by name; point codes: "office" is Văn phòng itself, "desk" its desk 3, "transport" Phòng
    Quản lý vận tải)."""
    people = await populate(database)
    async with database.unit_of_work() as session:
        units = {unit.name: unit for unit in (await session.scalars(select(Unit))).all()}
        office = await create_point(session, unit=units["Văn phòng"], desk=None, actor=None)
        desk = await create_point(session, unit=units["Văn phòng"], desk="Quầy số 3 – Đất đai", actor=None)
        transport = await create_point(session, unit=units["Phòng Quản lý vận tải"], desk=None, actor=None)
        return people, {"office": office.code, "desk": desk.code, "transport": transport.code}


def device(app: Starlette, address: str = "203.0.113.7") -> httpx.AsyncClient:
    """One phone: its own cookies, reaching the app from `address`."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url=BASE)


@asynccontextmanager
async def phone(
    database: Database, address: str = "203.0.113.7", **config: Any
) -> AsyncIterator[httpx.AsyncClient]:
    async with device(web_app(database, **config), address) as client:
        yield client


async def aged_token(database: Database, code: str, seconds: float = FILLED_FOR) -> str:
    """The form token of a form given out `seconds` ago (signed with the office's key, as the page does)."""
    async with database.unit_of_work() as session:
        key = await abuse.address_key(session)
    return abuse.form_token(key, code, time.time() - seconds)


def answers(**changes: str) -> dict[str, str]:
    """A complete, ordinary rating; `changes` override fields (an empty string leaves one out)."""
    fields = {
        "overall": "4",
        "trips": "1",
        "attitude": "5",
        "papers_posted": "yes",
        "progress_lookup": "no",
        "asked_beyond_rules": "no",
        "comment": "",
        "dossier_number": "",
        "official_id": "",
        "contact": "",
        "website": "",
        **changes,
    }
    return fields


async def send(client: httpx.AsyncClient, database: Database, code: str, **changes: str) -> httpx.Response:
    """Open the form, then send it as if filled for FILLED_FOR seconds."""
    form = await client.get(f"/r/{code}")
    assert form.status_code == 200, form.text
    assert TOKEN.search(form.text) is not None
    fields = answers(form_token=await aged_token(database, code), **changes)
    return await client.post(f"/r/{code}", data=fields)


async def stored(database: Database) -> list[CitizenRating]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(CitizenRating).order_by(CitizenRating.id))).all())
