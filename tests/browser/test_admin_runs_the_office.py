"""An admin imports a staff list with a bad row, mends it, confirms; composes a plan update with a PDF for two
units; a Telegram official receives it through the fake Bot API and confirms it on the web page."""

from __future__ import annotations

from playwright.async_api import FilePayload
from sqlalchemy import func, select

from storage.engine import Database
from storage.models import Official, OfficialStatus, Role
from storage.models_broadcast import BroadcastAck
from tests.browser.conftest import Visitor, Visitors
from tests.browser.people import official_named
from tests.browser.server import WebServer
from tests.factories import FakeUser, telegram_official
from tests.harness import BotHarness
from tests.staff_files import OFFICE, xlsx_bytes

# The office fixture's Telegram accounts of the two units' people (Lan: Nguyễn Thị Lan).
HOA, CHAU, LAN, HUY = (
    FakeUser(300 + n, name, "", "vi") for n, name in enumerate(("Hoa", "Châu", "Lan", "Huy"))
)
LAN_TELEGRAM_ID = LAN.id
NEWCOMER = ["Vũ Thị Thu", "Chuyên viên", "Sở GTVT / Văn phòng", "0912 000 006", "", "cán bộ"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _upload(admin: Visitor, rows: list[list[str]], name: str) -> None:
    page = admin.page
    await page.set_input_files(
        "#file",
        files=[FilePayload(name="ds.xlsx", mimeType="application/octet-stream", buffer=xlsx_bytes(rows))],
    )
    await page.click("form[action='/admin/staff'] button[type=submit]")
    await admin.shot(name)


async def test_an_admin_imports_staff_and_a_telegram_official_confirms_a_plan_update(
    office: Database, web: WebServer, visitors: Visitors, harness: BotHarness
) -> None:
    async with office.unit_of_work() as session:
        chief = await telegram_official(
            session,
            900_777,
            full_name="Hoàng Văn Quản",
            name_key="hoang van quan",
            role=Role.ADMIN,
            status=OfficialStatus.ACTIVE,
        )
    # They have talked to the bot on Telegram (chats Telegram knows), as everyone who joined there has.
    for person in (HOA, CHAU, LAN, HUY):
        await harness.say(person, "/help")
    admin = await visitors.new("admin", viewport={"width": 1280, "height": 900})
    await admin.goto(await web.link_for(chief.id, next_path="/admin/staff"), "staff-upload")
    page = admin.page

    bad_row = [*NEWCOMER[:3], "12345", *NEWCOMER[4:]]
    await _upload(admin, [*OFFICE, bad_row], "staff-dry-run-with-error")
    errors = await page.inner_text("main")
    assert "12345" in errors or "6" in errors  # the row (or the value) named in the table of errors
    assert (
        await page.locator("form[action$='/confirm']").count() == 0
    )  # a list with errors cannot be confirmed

    await page.goto(f"{web.url}/admin/staff")
    await _upload(admin, [*OFFICE, NEWCOMER], "staff-dry-run-clean")
    await page.click("form[action$='/confirm'] button[type=submit]")
    await admin.shot("staff-imported")
    newcomer = await official_named(office, "Vũ Thị Thu")
    assert newcomer.phone == "+84912000006"

    await page.goto(f"{web.url}/broadcasts/new")
    await admin.shot("compose")
    await page.fill("#bc-text", 'Kế hoạch số 12/KH: triển khai "Công sở thân thiện" năm 2027.')
    await page.set_input_files(
        "#bc-file", files=[FilePayload(name="ke-hoach-12.pdf", mimeType="application/pdf", buffer=PDF)]
    )
    await page.check("input[name=target][value=units]")
    for unit_name in ("Văn phòng", "Phòng Quản lý vận tải"):
        await page.locator("label.choice", has_text=unit_name).locator("input[name=unit]").check()
    await page.check("input[name=ack][value='1']")
    await page.click("form[action='/broadcasts/preview'] button[type=submit]")
    await admin.shot("preview")
    preview = await page.inner_text("main")
    assert "Kế hoạch số 12/KH" in preview
    await page.click("form[action='/broadcasts/confirm'] button[type=submit]")
    await admin.shot("status")
    status_url = page.url

    # The dispatcher sends it through the fake Bot API: Lan gets the text and the PDF on Telegram.
    await harness.settle_outbox()
    server = harness.server
    await server.wait_for(lambda: any("Kế hoạch số 12/KH" in t for t in server.texts_to(LAN_TELEGRAM_ID)))
    received = server.messages_to(LAN_TELEGRAM_ID)
    assert any(m.get("document") for m in received), "the PDF did not reach Lan's chat"

    lan = await official_named(office, "Nguyễn Thị Lan")
    phone = await visitors.new("lan")
    await phone.goto(await web.link_for(lan.id, next_path="/updates"), "updates")
    await phone.page.click("form[action$='/ack'] button[type=submit]")
    await phone.shot("confirmed")
    async with office.unit_of_work() as session:
        acks = await session.scalar(select(func.count()).select_from(BroadcastAck))
        lan_acks = await session.scalar(
            select(func.count()).select_from(BroadcastAck).where(BroadcastAck.official_id == lan.id)
        )
        joined = await session.scalar(
            select(func.count()).select_from(Official).where(Official.status == OfficialStatus.ACTIVE)
        )
    assert (acks, lan_acks) == (1, 1) and joined

    await page.goto(status_url)
    await admin.shot("status-after-confirmation")
    figures = {key: await page.inner_text(f"#bc-{key}") for key in ("total", "sent", "failed", "acked")}
    assert figures == {"total": "4", "sent": "4", "failed": "0", "acked": "1"}
