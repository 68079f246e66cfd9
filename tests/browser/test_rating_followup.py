"""A unit's head follows up a flagged rating in Chromium, from the notice's link: the rating as the citizen
gave it, a follow-up recorded (contacted, resolved, a note in Vietnamese with markup in it) and shown back
as text, on a 360 px phone and on a desktop. Screenshots under test-artifacts/screenshots/<test>/; the
phone's page after recording is docs/screenshots/rating-followup.png."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from playwright.async_api import Dialog, ViewportSize
from sqlalchemy import select

from compliance.feedback.followup import followup_path
from storage.clock import local_today
from storage.engine import Database
from storage.models import Unit
from storage.models_feedback import CitizenRating, RatingFollowUp, ReceptionPoint
from tests.browser.conftest import Visitor, Visitors
from tests.browser.people import official_named
from tests.browser.server import WebServer
from tests.browser.test_every_page import NARROW, SMALL_BUTTONS, UNLABELLED

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
HOSTILE = "<script>alert(1)</script>"
COMMENT = f"Chờ cả buổi sáng, cán bộ hẹn “mai quay lại” mà không ghi phiếu hẹn {HOSTILE}"
NOTE = (
    "Đã gọi điện cho ông Nguyễn Văn Tư lúc 14 giờ, xin lỗi về việc hẹn miệng; "
    f"hồ sơ trả kết quả ngày 02/12. {HOSTILE}"
)


async def _flagged_rating(database: Database, official_id: int) -> int:
    """A very dissatisfied citizen at Văn phòng's desk this morning, asked beyond the rules, who left a
    comment, the receipt number and a phone number with the consent line ticked."""
    created = datetime.combine(local_today(), time(9, 40), VN).astimezone(UTC)
    async with database.unit_of_work() as session:
        unit_id = await session.scalar(select(Unit.id).where(Unit.name == "Văn phòng"))
        assert unit_id is not None
        point = ReceptionPoint(unit_id=unit_id, desk="Quầy số 2 – Hộ tịch", code="VPQ2")
        session.add(point)
        await session.flush()
        rating = CitizenRating(
            point_id=point.id, unit_id=unit_id, created_at=created, overall=1, attitude=2, trips=3,
            papers_posted=False, progress_lookup=None, asked_beyond_rules=True, comment=COMMENT,
            dossier_number="000.00.12.H56-261130-0042", official_id=official_id, contact="0912 345 678",
            contact_consent=True, locale="vi", address_hash="c" * 64, flagged=True,
        )  # fmt: skip
        session.add(rating)
        await session.flush()
        return rating.id


async def _fits(visitor: Visitor, name: str, width: int) -> None:
    page = visitor.page
    await visitor.shot(name)
    assert await page.evaluate("document.documentElement.scrollWidth") <= width, name
    assert await page.evaluate(UNLABELLED) == [], name
    assert await page.evaluate(SMALL_BUTTONS) == [], name


async def test_a_head_records_the_follow_up_of_a_flagged_rating(
    office: Database, web: WebServer, visitors: Visitors
) -> None:
    hoa = await official_named(office, "Lê Thị Hoa")  # Văn phòng's head
    chau = await official_named(office, "Phạm Minh Châu")  # on duty at the desk
    rating_id = await _flagged_rating(office, chau.id)
    path = followup_path(rating_id)
    phone = await visitors.new("hoa-phone", viewport=NARROW)
    dialogs: list[str] = []

    def _dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)

    phone.page.on("dialog", _dialog)
    await phone.page.goto(await web.link_for(hoa.id, next_path=path))
    page = phone.page
    assert page.url == f"{web.url}{path}"
    await _fits(phone, "rating", NARROW["width"])
    main = await page.inner_text("main")
    assert "Quầy số 2 – Hộ tịch" in main and "Phạm Minh Châu" in main and "0912 345 678" in main
    assert COMMENT in main  # the citizen's markup shown as they typed it
    assert await page.locator("ol.history").count() == 0  # nothing recorded yet

    await page.check("input[name=contacted]")
    await page.check("input[name=resolved]")
    await page.fill("#note", NOTE)
    await page.click("form[method=post] button[type=submit]")
    assert page.url == f"{web.url}{path}?done=1"
    await _fits(phone, "recorded", NARROW["width"])
    assert await page.locator("p.success[role=status]").count() == 1
    history = await page.inner_text("ol.history")
    assert NOTE in history and "Lê Thị Hoa" in history
    assert await page.locator("main script").count() == 0 and dialogs == []
    assert await page.input_value("#note") == ""  # recorded: the form is empty for the next entry

    async with office.unit_of_work() as session:
        (entry,) = (await session.scalars(select(RatingFollowUp))).all()
    assert (entry.rating_id, entry.by_id, entry.contacted, entry.resolved) == (rating_id, hoa.id, True, True)
    assert entry.note == unicodedata.normalize("NFC", NOTE)

    desk = await visitors.new("hoa-desktop", viewport=DESKTOP)
    await desk.goto(await web.link_for(hoa.id, next_path=path), "rating-resolved")
    await _fits(desk, "rating-resolved-fits", DESKTOP["width"])
    assert NOTE in await desk.page.inner_text("ol.history")
