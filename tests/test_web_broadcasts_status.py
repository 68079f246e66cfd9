"""Following plan updates on the web: the list, the status page's figures, reminders, stop, the Excel,
escaping, and who may open what (role × page and action)."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from compliance.broadcasts import sending as broadcasts
from compliance.broadcasts.sending import Draft, Target, TargetKind
from compliance.broadcasts.status import progress_of
from compliance.office.officials import actor_of
from handlers.web.broadcasts import follow
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Official, OfficialStatus, OutboxMessage, Unit
from storage.models_broadcast import Broadcast, BroadcastAck
from tests.test_web_broadcasts import HOSTILE_IMG, HOSTILE_SCRIPT, admin, person
from tests.web_client import csrf_of, sign_in, web_client


async def sent_by(
    database: Database, official_id: int, text: str = "Kế hoạch số 15", ack: bool = True
) -> int:
    """A broadcast made the way the chat's /broadcast makes it."""
    async with database.unit_of_work() as session:
        sender = actor_of(await session.get_one(Official, official_id))
        draft = Draft(text, Target(TargetKind.ALL), utcnow(), ack)
        return (await broadcasts.create(session, actor=sender, draft=draft)).id


async def deliver(
    database: Database, broadcast_id: int, *, sent: list[str], failed: list[str], acked: list[str]
) -> None:
    async with database.unit_of_work() as session:
        ids = {name: oid for oid, name in await session.execute(select(Official.id, Official.full_name))}
        for names, status in ((sent, "sent"), (failed, "failed")):
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.broadcast_id == broadcast_id,
                    OutboxMessage.official_id.in_([ids[n] for n in names]),
                )
                .values(status=status, sent_at=utcnow() if status == "sent" else None)
            )
        for name in acked:
            session.add(BroadcastAck(broadcast_id=broadcast_id, official_id=ids[name], acked_at=utcnow()))


def figure(page: httpx.Response, name: str) -> int:
    found = re.search(rf'id="bc-{name}">([\d.,]+)<', page.text)
    assert found is not None, name
    return int(found.group(1).replace(",", "").replace(".", ""))


async def test_the_status_page_shows_the_domains_figures_and_refreshes_while_sending(
    office: Database,
) -> None:
    admin_id = await admin(office)
    broadcast_id = await sent_by(office, admin_id)
    await deliver(
        office,
        broadcast_id,
        sent=["Lê Thị Hoa", "Phạm Minh Châu", "Nguyễn Thị Lan"],
        failed=[],
        acked=["Lê Thị Hoa"],
    )
    async with office.unit_of_work() as session:
        expected = (await progress_of(session, [broadcast_id]))[broadcast_id]
    async with web_client(office) as client:
        await sign_in(client, office, admin_id)
        page = await client.get(f"/broadcasts/{broadcast_id}")
        assert page.status_code == 200
        shown = {name: figure(page, name) for name in ("total", "sent", "failed", "remaining", "acked")}
        assert shown == {
            "total": expected.total,
            "sent": expected.sent,
            "failed": expected.failed,
            "remaining": expected.remaining,
            "acked": expected.acknowledged,
        }
        assert shown == {"total": 4, "sent": 3, "failed": 0, "remaining": 1, "acked": 1}
        assert '<meta http-equiv="refresh" content="5">' in page.text
        # Per unit, and who has not confirmed (delivered, no "Received"): Châu and Lan.
        units = page.text.split('id="bc-units"', 1)[1].split("</table>", 1)[0]
        assert "Văn phòng" in units and "Phòng Quản lý vận tải" in units
        pending = page.text.split('id="bc-pending"', 1)[1].split("</table>", 1)[0]
        assert "Phạm Minh Châu" in pending and "Nguyễn Thị Lan" in pending and "Lê Thị Hoa" not in pending
        listed = await client.get("/broadcasts")
        row = listed.text.split(f'data-id="{broadcast_id}"', 1)[1].split("</tr>", 1)[0]
        assert "3/4" in row and ">1<" in row  # delivered 3 of 4; confirmed 1; Bình (not joined) counted
    await deliver(office, broadcast_id, sent=[], failed=["Đỗ Quang Huy"], acked=[])
    async with office.unit_of_work() as session:
        await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(status="done"))
    async with web_client(office) as client:
        await sign_in(client, office, admin_id)
        page = await client.get(f"/broadcasts/{broadcast_id}")
        assert figure(page, "failed") == 1 and figure(page, "remaining") == 0
        assert 'http-equiv="refresh"' not in page.text


async def test_not_confirmed_is_paginated(office: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(follow, "PER_PAGE", 1)
    admin_id = await admin(office)
    broadcast_id = await sent_by(office, admin_id)
    await deliver(office, broadcast_id, sent=["Lê Thị Hoa", "Phạm Minh Châu"], failed=[], acked=[])
    async with web_client(office) as client:
        await sign_in(client, office, admin_id)
        first = await client.get(f"/broadcasts/{broadcast_id}")
        second = await client.get(f"/broadcasts/{broadcast_id}?page=2")
        beyond = await client.get(f"/broadcasts/{broadcast_id}?page=9")

    def names(page: httpx.Response) -> str:
        return (
            page.text.split('id="bc-pending"', 1)[1].split("</table>", 1)[0]
            if 'id="bc-pending"' in page.text
            else ""
        )

    # Vietnamese order: by given name, so Châu before Hoa.
    assert "Phạm Minh Châu" in names(first) and "Lê Thị Hoa" not in names(first)
    assert "Lê Thị Hoa" in names(second) and 'rel="prev"' in second.text
    assert beyond.status_code == 200 and names(beyond) == ""


async def test_remind_stop_and_the_excel(office: Database) -> None:
    hoa = await person(office, "Lê Thị Hoa")
    broadcast_id = await sent_by(office, hoa)
    await deliver(office, broadcast_id, sent=["Phạm Minh Châu"], failed=[], acked=[])
    async with web_client(office) as client:
        page = await sign_in(client, office, hoa)
        csrf = csrf_of(page)
        reminded = await client.post(f"/broadcasts/{broadcast_id}/remind", data={"csrf": csrf})
        assert reminded.status_code == 303 and "done=reminded&n=1" in reminded.headers["location"]
        again = await client.post(f"/broadcasts/{broadcast_id}/remind", data={"csrf": csrf})
        assert "done=nothing" in again.headers["location"]  # once a day, as the chat's button
        stopped = await client.post(f"/broadcasts/{broadcast_id}/stop", data={"csrf": csrf})
        assert "done=stopped&n=1" in stopped.headers["location"]
        sheet = await client.get(f"/broadcasts/{broadcast_id}/recipients.xlsx")
        assert sheet.status_code == 200 and "attachment" in sheet.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert sorted(str(r[0]) for r in rows[1:]) == ["Lê Thị Hoa", "Phạm Minh Châu"]
    async with office.unit_of_work() as session:
        reminders = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "broadcast_remind")
        )
        status = await session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id))
    assert (reminders, status) == (1, "stopped")


async def test_hostile_names_and_text_are_escaped_on_the_status_page(office: Database) -> None:
    admin_id = await admin(office, name=HOSTILE_IMG)
    async with office.unit_of_work() as session:
        await session.execute(update(Unit).where(Unit.name == "Văn phòng").values(name=HOSTILE_SCRIPT))
        await session.execute(
            update(Official).where(Official.full_name == "Phạm Minh Châu").values(full_name=HOSTILE_IMG)
        )
    broadcast_id = await sent_by(office, admin_id, text=HOSTILE_SCRIPT)
    async with office.unit_of_work() as session:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast_id).values(status="sent")
        )
    async with web_client(office) as client:
        await sign_in(client, office, admin_id)
        for path in (f"/broadcasts/{broadcast_id}", "/broadcasts"):
            page = await client.get(path)
            assert page.status_code == 200
            assert HOSTILE_SCRIPT not in page.text and "<img src=x" not in page.text
            assert "&lt;script&gt;" in page.text


async def test_who_may_open_what(office: Database) -> None:
    """Role × page and action → status: strangers sign in, officials are refused, a head sees their own
    broadcasts only (another's is not found), admins everything."""
    admin_id = await admin(office)
    hoa = await person(office, "Lê Thị Hoa")
    chau = await person(office, "Phạm Minh Châu")
    admins = await sent_by(office, admin_id)
    heads = await sent_by(office, hoa)
    async with office.unit_of_work() as session:
        await session.execute(
            update(Official).where(Official.id.in_([hoa, chau])).values(status=OfficialStatus.ACTIVE)
        )
    pages = {
        "list": ("GET", "/broadcasts"),
        "new": ("GET", "/broadcasts/new"),
        "preview": ("POST", "/broadcasts/preview"),
        "confirm": ("POST", "/broadcasts/confirm"),
        "admin's": ("GET", f"/broadcasts/{admins}"),
        "head's": ("GET", f"/broadcasts/{heads}"),
        "admin's excel": ("GET", f"/broadcasts/{admins}/recipients.xlsx"),
        "head's excel": ("GET", f"/broadcasts/{heads}/recipients.xlsx"),
        "remind admin's": ("POST", f"/broadcasts/{admins}/remind"),
        "stop admin's": ("POST", f"/broadcasts/{admins}/stop"),
        "stop head's": ("POST", f"/broadcasts/{heads}/stop"),
        "unknown": ("GET", "/broadcasts/999999"),
        "not an id": ("GET", "/broadcasts/abc"),
    }
    expected = {
        "stranger": dict.fromkeys(pages, 401),
        "official": dict.fromkeys(pages, 403),
        "head": {
            **dict.fromkeys(pages, 404),
            "list": 200,
            "new": 200,
            "preview": 400,  # allowed; the empty form is refused as bad input
            "confirm": 400,
            "head's": 200,
            "head's excel": 200,
            "stop head's": 303,
        },
        "admin": {
            **dict.fromkeys(pages, 200),
            "preview": 400,
            "confirm": 400,
            "remind admin's": 303,
            "stop admin's": 303,
            "stop head's": 303,
            "unknown": 404,
            "not an id": 404,
        },
    }
    who = {"stranger": None, "official": chau, "head": hoa, "admin": admin_id}
    for role, official_id in who.items():
        async with web_client(office) as client:
            csrf = ""
            if official_id is not None:
                csrf = csrf_of(await sign_in(client, office, official_id))
            found = {}
            for name, (method, path) in pages.items():
                if method == "GET":
                    answer = await client.get(path)
                else:
                    answer = await client.post(path, data={"csrf": csrf})
                found[name] = answer.status_code
            assert found == expected[role], role
    # Nothing was created by the refused posts.
    async with office.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 2
