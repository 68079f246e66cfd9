"""/updates, /mydata, Trang của tôi and the authorization table of the official's pages."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, update

from compliance.broadcasts import sending
from compliance.broadcasts.sending import Draft, Target, TargetKind
from compliance.broadcasts.status import acknowledge
from compliance.office.accounts import Address
from compliance.office.officials import actor_of
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Official, OutboxMessage
from storage.models_broadcast import BroadcastAck, BroadcastFile
from tests.web_client import csrf_of, sign_in, web_client
from tests.web_official_office import HOSTILE_NAME, HOSTILE_UNIT, People, populate

PDF = b"%PDF-1.4 plan\n"


async def _broadcast(
    database: Database, people: People, text: str, *, units: tuple[int, ...] = (), with_file: bool = False
) -> int:
    """An admin's broadcast, delivered (as the dispatcher records it) to every recipient on Telegram."""
    async with database.unit_of_work() as session:
        admin = await session.get(Official, people.admin)
        assert admin is not None
        target = Target(TargetKind.UNITS, units) if units else Target(TargetKind.ALL)
        draft = Draft(text=text, target=target, send_at=utcnow(), requires_ack=True)
        if with_file:
            stored = BroadcastFile(
                uploaded_by_id=admin.id,
                name="Kế hoạch.pdf",
                media_type="application/pdf",
                size=len(PDF),
                sha256="0" * 64,
                content=PDF,
            )
            session.add(stored)
            await session.flush()
            draft = Draft(
                text=text,
                target=target,
                send_at=utcnow(),
                requires_ack=True,
                attachment_kind="document",
                attachment_file_id=f"web:{stored.id}",
                attachment_name=stored.name,
            )
        broadcast = await sending.create(session, actor=actor_of(admin), draft=draft)
        if with_file:
            stored.broadcast_id = broadcast.id
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.broadcast_id == broadcast.id)
            .values(status="sent", sent_at=utcnow(), channel_message_id="77")
        )
        return broadcast.id


async def _acks(database: Database, broadcast_id: int) -> int:
    async with database.unit_of_work() as session:
        count = await session.scalar(
            select(func.count()).select_from(BroadcastAck).where(BroadcastAck.broadcast_id == broadcast_id)
        )
        return int(count or 0)


async def test_updates_are_listed_downloaded_and_confirmed_once(database: Database) -> None:
    people = await populate(database)
    first = await _broadcast(database, people, "Kế hoạch số 1")
    second = await _broadcast(database, people, "Kế hoạch số 2\n<b>không in đậm</b>", with_file=True)
    async with web_client(database) as client:
        await sign_in(client, database, people.official)
        home = await client.get("/")
        assert f"/updates#update-{first}" in home.text and f"/updates#update-{second}" in home.text
        page = await client.get("/updates")
        assert page.status_code == 200
        assert page.text.index("Kế hoạch số 2") < page.text.index("Kế hoạch số 1")  # newest first
        assert "&lt;b&gt;không in đậm&lt;/b&gt;" in page.text
        assert f"/updates/{second}/file" in page.text and f"/updates/{first}/file" not in page.text
        document = await client.get(f"/updates/{second}/file")
        assert document.status_code == 200 and document.content == PDF
        assert document.headers["content-type"] == "application/pdf"
        assert (await client.get(f"/updates/{first}/file")).status_code == 404  # no stored document
        for _ in range(2):
            confirmed = await client.post(f"/updates/{second}/ack", data={"csrf": csrf_of(page)})
            assert confirmed.status_code == 303
        assert await _acks(database, second) == 1
        after = await client.get("/updates")
        assert f'action="/updates/{second}/ack"' not in after.text
        assert f'action="/updates/{first}/ack"' in after.text
        home = await client.get("/")
        assert f"/updates#update-{second}" not in home.text and f"/updates#update-{first}" in home.text
        forged = await client.post(f"/updates/{first}/ack")
        assert forged.status_code == 403
    assert await _acks(database, first) == 0


async def test_a_confirmation_in_the_chat_counts_for_the_page(database: Database) -> None:
    people = await populate(database)
    broadcast_id = await _broadcast(database, people, "Kế hoạch số 3")
    async with database.unit_of_work() as session:
        official = await session.get(Official, people.official)
        assert official is not None
        chat = await acknowledge(
            session,
            actor=actor_of(official),
            broadcast_id=broadcast_id,
            at=Address.telegram(300),
            message_id="77",
        )
        assert chat.acked_at is not None
    async with web_client(database) as client:
        page = await sign_in(client, database, people.official)
        page = await client.get("/updates")
        assert f'action="/updates/{broadcast_id}/ack"' not in page.text
        again = await client.post(f"/updates/{broadcast_id}/ack", data={"csrf": csrf_of(page)})
        assert again.status_code == 303
    assert await _acks(database, broadcast_id) == 1


async def test_an_update_the_person_did_not_get_is_not_found(database: Database) -> None:
    people = await populate(database)
    async with database.unit_of_work() as session:
        head = await session.get(Official, people.head)
        assert head is not None and head.unit_id is not None
        head_unit = head.unit_id
    theirs = await _broadcast(database, people, "Chỉ Văn phòng", units=(head_unit,), with_file=True)
    async with web_client(database) as client:
        page = await sign_in(client, database, people.official)
        assert "Chỉ Văn phòng" not in (await client.get("/updates")).text
        assert (await client.get(f"/updates/{theirs}/file")).status_code == 404
        assert (await client.post(f"/updates/{theirs}/ack", data={"csrf": csrf_of(page)})).status_code == 404
        assert (await client.post("/updates/99999/ack", data={"csrf": csrf_of(page)})).status_code == 404
    assert await _acks(database, theirs) == 0
    async with web_client(database) as client:
        await sign_in(client, database, people.head)
        assert "Chỉ Văn phòng" in (await client.get("/updates")).text
        assert (await client.get(f"/updates/{theirs}/file")).status_code == 200


async def test_my_data_and_its_json(database: Database) -> None:
    people = await populate(database)
    async with web_client(database) as client:
        await sign_in(client, database, people.official)
        page = await client.get("/mydata")
        assert page.status_code == 200 and "Nguyễn Thị Lan" in page.text and "/mydata.json" in page.text
        download = await client.get("/mydata.json")
        assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
        data = json.loads(download.content)
        assert data["official"]["full_name"] == "Nguyễn Thị Lan"


async def test_hostile_strings_are_escaped_on_every_page(database: Database) -> None:
    people = await populate(database)
    await _broadcast(database, people, HOSTILE_NAME + HOSTILE_UNIT)
    async with database.unit_of_work() as session:
        admin = await session.get(Official, people.admin)
        assert admin is not None
        admin.full_name = HOSTILE_NAME  # the sender's name is shown on every copy
    async with web_client(database) as client:
        await sign_in(client, database, people.hostile)
        for path in ("/", "/pledge", "/selfcheck", "/quiz", "/updates", "/mydata"):
            page = await client.get(path)
            assert page.status_code == 200, path
            assert HOSTILE_NAME not in page.text and HOSTILE_UNIT not in page.text, path
            assert "&lt;script&gt;" in page.text, path


PAGES = ("/", "/pledge", "/pledge/receipt", "/selfcheck", "/quiz", "/updates", "/mydata", "/mydata.json")


@pytest.mark.parametrize("role", ["stranger", "official", "head", "admin"])
async def test_authorization_table(database: Database, role: str) -> None:
    people = await populate(database)
    broadcast_id = await _broadcast(database, people, "Bảng quyền")
    expected = {path: 200 for path in PAGES}
    async with web_client(database) as client:
        csrf = ""
        if role != "stranger":
            page = await sign_in(client, database, getattr(people, role))
            csrf = csrf_of(page)
        for path in PAGES:
            status = (await client.get(path)).status_code
            assert status == (401 if role == "stranger" else expected[path]), (role, path)
        actions = {
            f"/updates/{broadcast_id}/ack": 303,
            "/pledge": 409,  # no version field: a stale form, answered with the page and nothing signed
            "/selfcheck": 404,  # no self-check of theirs
            "/quiz/start": 303,
        }
        forms = {"/pledge": {}, "/quiz/start": {"kind": "practice"}}
        for path, wanted in actions.items():
            data = {"csrf": csrf, **forms.get(path, {})} if csrf else forms.get(path, {})
            status = (await client.post(path, data=data)).status_code
            assert status == (401 if role == "stranger" else wanted), (role, path)


async def test_the_language_choice_works_on_these_pages(database: Database) -> None:
    people = await populate(database)
    async with web_client(database) as client:
        page = await sign_in(client, database, people.official)
        page = await client.get("/selfcheck")
        changed = await client.post(
            "/language", data={"lang": "en", "next": "/selfcheck", "csrf": csrf_of(page)}
        )
        assert changed.status_code == 303 and changed.headers["location"] == "/selfcheck"
        english = await client.get("/selfcheck")
        assert 'lang="en"' in english.text and "Weekly self-check" in english.text
        assert "Pledge" in (await client.get("/pledge")).text
