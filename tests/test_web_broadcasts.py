"""Composing a plan update on the web: form → preview → confirm writes what the chat's /broadcast writes."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import event, func, select

from compliance.broadcasts import sending as broadcasts
from compliance.broadcasts.sending import Draft, Target, TargetKind
from compliance.broadcasts.status import contents
from compliance.office.officials import actor_of
from handlers.i18n import use_locale
from handlers.views.outbox import RENDERERS
from storage.clock import local_today, utcnow
from storage.engine import Database
from storage.models import Official, OfficialStatus, OutboxMessage, Role, Unit
from storage.models_broadcast import Broadcast, BroadcastFile
from tests.web_client import csrf_of, sign_in, web_client

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = '"><img src=x onerror=alert(1)>'
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


async def person(database: Database, name: str) -> int:
    async with database.unit_of_work() as session:
        return int((await session.scalars(select(Official.id).where(Official.full_name == name))).one())


async def admin(database: Database, name: str = "Quản trị viên") -> int:
    async with database.unit_of_work() as session:
        official = Official(
            full_name=name, name_key=name.lower(), role=Role.ADMIN, status=OfficialStatus.ACTIVE, locale="en"
        )
        session.add(official)
        await session.flush()
        return official.id


async def unit_id(database: Database, name: str) -> int:
    async with database.unit_of_work() as session:
        return int((await session.scalars(select(Unit.id).where(Unit.name == name))).one())


async def counts(database: Database) -> tuple[int, int, int]:
    async with database.unit_of_work() as session:
        made = await session.scalar(select(func.count()).select_from(Broadcast))
        files = await session.scalar(select(func.count()).select_from(BroadcastFile))
        rows = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.broadcast_id.is_not(None))
        )
        return int(made or 0), int(files or 0), int(rows or 0)


def fields(
    text: str = "Kế hoạch số 15",
    target: str = "units",
    units: list[int] | None = None,
    ack: str = "1",
    **more: str,
) -> list[tuple[str, str]]:
    data = [("text", text), ("target", target), ("ack", ack), ("when", more.pop("when", "now"))]
    data += [("unit", str(u)) for u in units or []]
    data += list(more.items())
    return data


async def preview(
    client: httpx.AsyncClient, data: list[tuple[str, str]], file: tuple[str, bytes, str] | None = None
) -> httpx.Response:
    form = await client.get("/broadcasts/new")
    assert form.status_code == 200
    body = [*data, ("csrf", csrf_of(form))]
    files = {"file": file} if file else {"file": ("", b"", "application/octet-stream")}
    return await client.post("/broadcasts/preview", data=as_form(body), files=files)


def as_form(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """httpx takes repeated fields (the ticked units) as a list per name."""
    form: dict[str, list[str]] = {}
    for name, value in pairs:
        form.setdefault(name, []).append(value)
    return form


def draft_of(page: httpx.Response) -> list[tuple[str, str]]:
    """The hidden fields of the preview's confirm form (the first form on the page)."""
    confirm = page.text.split('action="/broadcasts/confirm"', 1)[1].split("</form>", 1)[0]
    return [
        (name, value.replace("&#34;", '"').replace("&amp;", "&")) for name, value in HIDDEN.findall(confirm)
    ]


async def compose(
    database: Database,
    official_id: int,
    data: list[tuple[str, str]],
    file: tuple[str, bytes, str] | None = None,
) -> httpx.Response:
    """Form → preview, then confirm on a new application, as after a restart: the draft is the page's."""
    async with web_client(database) as client:
        await sign_in(client, database, official_id)
        shown = await preview(client, data, file)
        assert shown.status_code == 200, shown.text
        draft, cookies = draft_of(shown), client.cookies
    async with web_client(database) as restarted:
        restarted.cookies = cookies
        return await restarted.post("/broadcasts/confirm", data=as_form(draft))


def outbox_rows(rows: list[OutboxMessage]) -> set[tuple[Any, ...]]:
    return {(r.kind, r.official_id, r.channel, r.address, r.status) for r in rows}


async def test_compose_preview_confirm_writes_what_the_chat_writes(office: Database) -> None:
    admin_id = await admin(office)
    units = [await unit_id(office, "Văn phòng"), await unit_id(office, "Phòng Quản lý vận tải")]
    async with web_client(office) as client:
        await sign_in(client, office, admin_id)
        shown = await preview(client, fields(units=units), ("ke-hoach-15.pdf", PDF, "application/pdf"))
        assert shown.status_code == 200
        assert re.search(r'id="bc-recipients">4<', shown.text) and re.search(
            r'id="bc-not-joined">0<', shown.text
        )
        assert "Kế hoạch số 15" in shown.text and "ke-hoach-15.pdf" in shown.text and "Received" in shown.text
    assert await counts(office) == (0, 1, 0)  # the file is stored once, nothing else yet
    answer = await compose(office, admin_id, fields(units=units), ("ke-hoach-15.pdf", PDF, "application/pdf"))
    assert answer.status_code == 303
    web_id = int(answer.headers["location"].split("/")[2].split("?")[0])
    # The chat's /broadcast confirms the same draft through the same domain call.
    async with office.unit_of_work() as session:
        sender = actor_of(await session.get_one(Official, admin_id))
        draft = Draft("Kế hoạch số 15", Target(TargetKind.UNITS, tuple(sorted(units))), utcnow(), True)
        chat_id = (await broadcasts.create(session, actor=sender, draft=draft)).id
    async with office.unit_of_work() as session:
        web, chat = await session.get_one(Broadcast, web_id), await session.get_one(Broadcast, chat_id)
        assert (web.target, web.total, web.requires_ack, web.status, web.scope_unit_id) == (
            chat.target,
            chat.total,
            chat.requires_ack,
            chat.status,
            chat.scope_unit_id,
        )
        assert (web.total, web.attachment_kind, web.attachment_name) == (4, "document", "ke-hoach-15.pdf")
        by_broadcast: dict[int, list[OutboxMessage]] = {web_id: [], chat_id: []}
        for row in (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.broadcast_id.is_not(None)))
        ).all():
            by_broadcast[row.broadcast_id or 0].append(row)
        assert outbox_rows(by_broadcast[web_id]) == outbox_rows(by_broadcast[chat_id])
        assert len(by_broadcast[web_id]) == 4
        files = (await session.scalars(select(BroadcastFile).order_by(BroadcastFile.id))).all()
        # The first preview's file was never confirmed: it stays unattached (and goes a day later).
        assert [f.broadcast_id for f in files] == [None, web_id] and files[1].content == PDF
    # The dispatcher's copy (its payload plus the content it loads per batch) carries the PDF itself.
    async with office.unit_of_work() as session:
        loaded = await contents(session, [web_id])
    payload = {**by_broadcast[web_id][0].payload, "content": asdict(loaded[web_id])}
    with use_locale("vi"):
        copy = RENDERERS["broadcast"](payload)
    assert copy.attachment is not None and copy.attachment.data == PDF
    assert copy.attachment.file_name == "ke-hoach-15.pdf" and copy.choices
    async with web_client(office) as client:
        await sign_in(client, office, admin_id)
        status = await client.get(f"/broadcasts/{web_id}")
        assert f'href="/broadcasts/{web_id}/file"' in status.text
        download = await client.get(f"/broadcasts/{web_id}/file")
    assert download.content == PDF and download.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''ke-hoach-15.pdf" in download.headers["content-disposition"]


async def test_two_units_one_unit_and_heads_only_reach_those_people(office: Database) -> None:
    admin_id = await admin(office)
    office_unit = await unit_id(office, "Văn phòng")
    transport = await unit_id(office, "Phòng Quản lý vận tải")
    for data, expected in (
        (fields(units=[office_unit]), {"Lê Thị Hoa", "Phạm Minh Châu"}),
        (fields(units=[transport]), {"Nguyễn Thị Lan", "Đỗ Quang Huy"}),
        (fields(target="heads"), {"Lê Thị Hoa"}),
    ):
        answer = await compose(office, admin_id, data)
        assert answer.status_code == 303
        broadcast_id = int(answer.headers["location"].split("/")[2].split("?")[0])
        async with office.unit_of_work() as session:
            names = (
                await session.scalars(
                    select(Official.full_name)
                    .join(OutboxMessage, OutboxMessage.official_id == Official.id)
                    .where(OutboxMessage.broadcast_id == broadcast_id)
                )
            ).all()
        assert set(names) == expected and len(names) == len(expected)


async def test_a_head_sends_within_their_unit_only(office: Database) -> None:
    hoa = await person(office, "Lê Thị Hoa")
    own = await unit_id(office, "Văn phòng")
    sibling = await unit_id(office, "Phòng Quản lý vận tải")
    async with web_client(office) as client:
        await sign_in(client, office, hoa)
        form = await client.get("/broadcasts/new")
        assert f'value="{own}"' in form.text and f'value="{sibling}"' not in form.text
        refused = await preview(client, fields(units=[own, sibling]))
        assert refused.status_code == 400
        draft = [*fields(units=[sibling]), ("csrf", csrf_of(form))]
        assert (await client.post("/broadcasts/confirm", data=as_form(draft))).status_code == 400
    assert await counts(office) == (0, 0, 0)
    answer = await compose(office, hoa, fields(target="all"))
    assert answer.status_code == 303
    async with office.unit_of_work() as session:
        made = (await session.scalars(select(Broadcast))).one()
        assert (made.total, made.scope_unit_id, made.created_by_id) == (2, own, hoa)


async def test_bad_input_is_refused_and_nothing_is_created(office: Database) -> None:
    admin_id = await admin(office)
    units = [await unit_id(office, "Văn phòng")]
    async with web_client(office) as client:
        await sign_in(client, office, admin_id)
        cases = [
            (fields(units=units), ("virus.exe", b"MZ\x90\x00", "application/pdf"), "This type of file"),
            (
                fields(units=units),
                ("fake.pdf", b"MZ\x90\x00not a pdf", "application/pdf"),
                "This type of file",
            ),
            (fields(text="  "), None, "The text is empty"),
            (fields(units=[]), None, "Choose at least one unit"),
            (fields(units=[999999]), None, "not yours to send to"),
            (fields(text="x" * 900, units=units), ("a.pdf", PDF, "application/pdf"), "With a file"),
            (fields(units=units, when="later", send_date="2020-01-01", send_time="08:00"), None, "future"),
            (fields(target="everyone"), None, "Choose who"),
        ]
        for data, file, says in cases:
            refused = await preview(client, data, file)
            assert refused.status_code == 400, says
            assert says in refused.text
    async with web_client(office, upload_limit=1024) as small:
        await sign_in(small, office, admin_id)
        too_large = await preview(
            small, fields(units=units), ("big.pdf", PDF + b"0" * 2048, "application/pdf")
        )
        assert too_large.status_code in (400, 413)
    assert await counts(office) == (0, 0, 0)


async def test_a_later_send_is_scheduled(office: Database) -> None:
    admin_id = await admin(office)
    async with web_client(office) as client:
        await sign_in(client, office, admin_id)
        # More than a year ahead is refused as the chat refuses it.
        far = fields(target="all", when="later", send_date="2099-01-01", send_time="08:00")
        assert (await preview(client, far)).status_code == 400
    day = local_today() + timedelta(days=10)
    answer = await compose(
        office, admin_id, fields(target="all", when="later", send_date=day.isoformat(), send_time="08:00")
    )
    assert answer.status_code == 303
    async with office.unit_of_work() as session:
        made = (await session.scalars(select(Broadcast))).one()
        assert made.status == "scheduled" and made.total == 4


async def test_hostile_text_and_names_are_escaped_in_the_preview(office: Database) -> None:
    admin_id = await admin(office, name=HOSTILE_IMG)
    async with office.unit_of_work() as session:
        unit = (await session.scalars(select(Unit).where(Unit.name == "Văn phòng"))).one()
        unit.name = HOSTILE_SCRIPT
        unit_key = unit.id
    async with web_client(office) as client:
        await sign_in(client, office, admin_id)
        form = await client.get("/broadcasts/new")
        assert HOSTILE_SCRIPT not in form.text and "&lt;script&gt;" in form.text
        shown = await preview(client, fields(text=HOSTILE_SCRIPT + HOSTILE_IMG, units=[unit_key]))
        assert shown.status_code == 200
        for page in (form, shown):
            assert HOSTILE_SCRIPT not in page.text and "<img src=x" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text


async def test_the_unit_tree_of_a_large_office_is_one_query(database: Database) -> None:
    """2 000 units: the composer lists them all, nested, with a bounded number of statements."""
    admin_id = await admin(database)
    async with database.unit_of_work() as session:
        rows = []
        for top in range(40):
            top_id = 10_000 + top * 100
            rows.append(Unit(id=top_id, code=f"u{top_id}", name=f"Sở {top:02d}", name_key=f"sở {top:02d}",
                             path=f"/{top_id}/", depth=0))  # fmt: skip
            for child in range(1, 50):
                unit, name = top_id + child, f"Phòng {child:02d}"
                path = f"/{top_id}/{unit}/"
                rows.append(Unit(id=unit, parent_id=top_id, code=f"u{unit}", name=name, name_key=name.lower(),
                                 path=path, depth=1))  # fmt: skip
        session.add_all(rows)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    async with web_client(database) as client:
        await sign_in(client, database, admin_id)
        event.listen(database.engine.sync_engine, "before_cursor_execute", count)
        try:
            form = await client.get("/broadcasts/new")
        finally:
            event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    assert form.status_code == 200
    assert form.text.count('name="unit"') == 2000
    assert len(statements) < 10, statements


async def test_edit_the_draft_keeps_what_was_chosen(office: Database) -> None:
    admin_id = await admin(office)
    chosen = await unit_id(office, "Văn phòng")
    async with web_client(office) as client:
        await sign_in(client, office, admin_id)
        shown = await preview(
            client, fields(text="Kế hoạch số 16", units=[chosen]), ("kh.pdf", PDF, "application/pdf")
        )
        again = await client.post("/broadcasts/new", data=as_form(draft_of(shown)))
    assert again.status_code == 200
    assert ">Kế hoạch số 16</textarea>" in again.text and "kh.pdf" in again.text
    assert f'name="unit" value="{chosen}" checked' in again.text
    assert re.search(r'name="file_id" value="\d+" checked', again.text)
    assert await counts(office) == (0, 1, 0)


async def test_a_confirm_sent_twice_makes_one_broadcast(office: Database) -> None:
    """A double click or a resent form (no file attached, so nothing else ties the two together)."""
    admin_id = await admin(office)
    units = [await unit_id(office, "Văn phòng")]
    async with web_client(office) as client:
        await sign_in(client, office, admin_id)
        draft = draft_of(await preview(client, fields(units=units)))
        assert any(name == "draft_key" and len(value) == 32 for name, value in draft)
        first = await client.post("/broadcasts/confirm", data=as_form(draft))
        second = await client.post("/broadcasts/confirm", data=as_form(draft))
        assert first.status_code == second.status_code == 303
        assert first.headers["location"] == second.headers["location"]
        made, _files, rows = await counts(office)
        assert made == 1 and rows > 0
        # A new preview of the same text is a new draft: confirming it is a second, deliberate broadcast.
        again = draft_of(await preview(client, fields(units=units)))
        assert (await client.post("/broadcasts/confirm", data=as_form(again))).status_code == 303
        assert (await counts(office))[0] == 2
