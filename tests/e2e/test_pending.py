"""/pending lists the join requests a head may decide (and nothing of a sibling unit), approving from the
list; /invite sends its link as a QR code image too."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from compliance.office.joining import create_invite
from compliance.office.officials import actor_of
from compliance.office.units import get_unit_by_code
from handlers.i18n import _, use_locale
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Channel, JoinRequest, JoinRequestStatus, Official, Role
from tests.factories import FakeUser, buttons, by_telegram, press
from tests.harness import BotHarness

ADMIN = BotHarness.ADMIN
HOA = FakeUser(300, "Hoa", "Lê", "vi")  # head of Văn phòng
LAN = FakeUser(302, "Lan", "Nguyễn", "en")  # official
HUY = FakeUser(303, "Huy", "Đỗ", "vi")  # made head of the sibling Phòng Quản lý vận tải
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def _requests(database: Database) -> dict[str, int]:
    """Two requests for Văn phòng (Mai before Nam), one for the sibling unit, one still without a name."""
    async with database.unit_of_work() as session:
        binh = await session.scalar(select(Official).where(Official.full_name == "Trần Văn Bình"))
        huy = await by_telegram(session, HUY.id)
        assert binh is not None and huy is not None
        huy.role = Role.HEAD
        ids: dict[str, int] = {}
        now = utcnow()
        for n, (name, code, status) in enumerate(
            (
                ("Vũ Thị Mai", "van-phong", JoinRequestStatus.PENDING),
                ("Đặng Văn Nam", "van-phong", JoinRequestStatus.PENDING),
                ("Hồ Thị Tú", "phong-quan-ly-van-tai", JoinRequestStatus.PENDING),
                ("Chưa Có Tên", "van-phong", JoinRequestStatus.AWAITING_NAME),
            )
        ):
            unit = await get_unit_by_code(session, code)
            assert unit is not None
            invite = await create_invite(session, unit=unit, created_by=actor_of(binh))
            request = JoinRequest(
                invite_id=invite.id,
                unit_id=unit.id,
                channel=Channel.TELEGRAM,
                external_id=str(5000 + n),
                display_name=name.split()[-1],
                full_name=name if status is JoinRequestStatus.PENDING else None,
                locale="vi",
                status=status,
                created_at=now - timedelta(hours=10 - n),
            )
            session.add(request)
            await session.flush()
            ids[name] = request.id
    return ids


async def test_pending_lists_what_a_head_may_decide_and_approves_from_the_list(
    office: Database, harness: BotHarness
) -> None:
    ids = await _requests(office)
    listed = await harness.say(HOA, "/pending")
    text = listed["text"]
    assert "Đặng Văn Nam" in text and "Vũ Thị Mai" in text and "Hồ Thị Tú" not in text
    assert text.index("Vũ Thị Mai") < text.index("Đặng Văn Nam")  # by given name, though Nam asked later
    data = [b["callback_data"] for b in buttons(listed)]
    assert data == [
        f"jr:a:{ids['Vũ Thị Mai']}",
        f"jr:r:{ids['Vũ Thị Mai']}",
        f"jr:a:{ids['Đặng Văn Nam']}",
        f"jr:r:{ids['Đặng Văn Nam']}",
        "jr:l",
    ]
    sibling = await harness.say(HUY, "/pending")
    assert "Hồ Thị Tú" in sibling["text"] and "Vũ Thị Mai" not in sibling["text"]
    everyone = await harness.say(ADMIN, "/pending")
    assert all(name in everyone["text"] for name in ("Vũ Thị Mai", "Đặng Văn Nam", "Hồ Thị Tú"))
    assert "Chưa Có Tên" not in everyone["text"]
    refused = await harness.say(LAN, "/pending")
    with use_locale("en"):
        assert refused["text"] == _("This command is for unit heads and administrators only.")

    # Approving from the list: the list is redrawn with the outcome on top and without that request.
    redrawn = await harness.send(press(HOA, listed, f"jr:a:{ids['Vũ Thị Mai']}"), to_chat=HOA.id)
    with use_locale("vi"):
        headline = _("✅ {name} was approved and has joined.").format(name="Vũ Thị Mai")
    assert redrawn["text"].startswith(headline + "\n")
    assert "Đặng Văn Nam" in redrawn["text"] and redrawn["text"].count("Vũ Thị Mai") == 1
    assert [b["callback_data"] for b in buttons(redrawn)] == [*data[2:4], "jr:l"]
    async with office.unit_of_work() as session:
        mai = await session.get(JoinRequest, ids["Vũ Thị Mai"])
        assert mai is not None and mai.status is JoinRequestStatus.APPROVED and mai.official_id is not None
    # The sibling head cannot decide for Văn phòng even with the button's data.
    calls = len(harness.server.calls)
    await harness.server.inject(press(HUY, listed, f"jr:r:{ids['Đặng Văn Nam']}"))
    answer = await harness.server.wait_for(
        lambda: next((c for c in harness.server.calls[calls:] if c.method == "answerCallbackQuery"), None)
    )
    with use_locale("vi"):
        assert answer.params.get("text") == _("You are not allowed to do this.")
    # Rejecting the last one leaves a clear empty list.
    emptied = await harness.send(press(HOA, redrawn, f"jr:r:{ids['Đặng Văn Nam']}"), to_chat=HOA.id)
    with use_locale("vi"):
        assert emptied["text"].endswith(_("No join requests are waiting for your approval."))
    assert buttons(emptied) == []
    nothing = await harness.say(HOA, "/pending")
    with use_locale("vi"):
        assert nothing["text"] == _("No join requests are waiting for your approval.")


async def test_invite_sends_a_qr_code_of_the_link(office: Database, harness: BotHarness) -> None:
    server = harness.server
    before = len(server.sent.get(HOA.id, []))
    shown = await harness.say(HOA, "/invite")
    link = shown["text"].split("\n")[1]
    assert link.startswith("https://t.me/camket_test_bot?start=")
    photo = await harness.next_to(HOA.id, after=before + 1)
    assert photo["_method"] == "sendPhoto" and link in photo["caption"]
    file_id = photo["photo"][-1]["file_id"]
    name, content = server.files[file_id]
    assert content.startswith(PNG_SIGNATURE) and name.endswith(".png")
    assert len(content) > 100
