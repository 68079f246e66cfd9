"""The admins' web pages' test office: the small staff list of tests.staff_files plus an administrator,
and a signed-in client for each role."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import httpx
from sqlalchemy import select

from compliance.office.staff_import import import_staff
from storage.engine import Database
from storage.models import Official
from tests.staff_files import OFFICE, xlsx_bytes
from tests.web_client import sign_in, web_client

ADMIN = ["Vũ Thị Quản", "Chuyên viên CNTT", "Sở GTVT / Văn phòng", "0912 000 009", "", "quản trị"]
# Who plays each role of the authorization table (Lan is an official, Bình the Sở's head).
ROLE_PEOPLE = {"admin": "Vũ Thị Quản", "head": "Trần Văn Bình", "official": "Nguyễn Thị Lan"}


async def populate(database: Database, extra: Sequence[Sequence[object]] | None = None) -> dict[str, int]:
    """The office on the list (nobody joined yet: invited people can sign in to the pages); ids by name."""
    async with database.unit_of_work() as session:
        rows: list[Sequence[object]] = [*OFFICE, ADMIN, *(extra or [])]
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(rows))
        people = (await session.scalars(select(Official))).all()
        return {person.full_name: person.id for person in people}


@asynccontextmanager
async def signed_in_as(
    database: Database, people: dict[str, int], role: str | None, **config: object
) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in as the role's person ("admin", "head", "official"); None: a stranger."""
    async with web_client(database, **config) as client:
        if role is not None:
            await sign_in(client, database, people[ROLE_PEOPLE[role]])
        yield client
