"""A small office for the official's web pages: a pledge published, four people joined on Telegram (an
official, a head, an admin, and one whose name and unit name are hostile strings)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from compliance.office.staff_import import import_staff
from compliance.pledge import signing as pledges
from storage.engine import Database
from storage.models import Official, OfficialStatus, Role, Unit
from tests.factories import link_telegram
from tests.pledge_files import template
from tests.staff_files import OFFICE, xlsx_bytes

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_UNIT = '"><img src=x onerror=alert(1)>'


@dataclass(frozen=True)
class People:
    official: int  # Nguyễn Thị Lan, Phòng Quản lý vận tải
    head: int  # Lê Thị Hoa, head of Văn phòng
    admin: int  # Trần Văn Bình, made an administrator
    hostile: int  # Đỗ Quang Huy renamed to a script, in a unit renamed to an attribute breaker
    stranger: int  # Phạm Minh Châu: on the list, never joined (no session can be opened… but a link can)
    version_id: int


async def populate(database: Database, *, quiz: bool = False) -> People:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        published = await pledges.publish(
            session, template=template(quiz=quiz), unit=None, material=False, publisher_id=None
        )
        assert published.version is not None
        people = {p.full_name: p for p in (await session.scalars(select(Official))).all()}
        for n, name in enumerate(["Nguyễn Thị Lan", "Lê Thị Hoa", "Trần Văn Bình", "Đỗ Quang Huy"]):
            people[name].status = OfficialStatus.ACTIVE
            await link_telegram(session, people[name], 300 + n)
        people["Trần Văn Bình"].role = Role.ADMIN
        hostile = people["Đỗ Quang Huy"]
        hostile.full_name = HOSTILE_NAME
        unit = await session.get(Unit, hostile.unit_id)
        assert unit is not None
        unit.name = HOSTILE_UNIT
        await session.flush()
        return People(
            official=people["Nguyễn Thị Lan"].id,
            head=people["Lê Thị Hoa"].id,
            admin=people["Trần Văn Bình"].id,
            hostile=hostile.id,
            stranger=people["Phạm Minh Châu"].id,
            version_id=published.version.id,
        )
