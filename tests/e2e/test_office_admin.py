"""Running the office from the chat: /units for admins and heads, the unit commands, /admin, /audit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from compliance.office.staff_import import import_staff
from handlers.i18n import _, use_locale
from handlers.views.admin import menu_entries
from storage.models import Official, Role, Unit
from storage.models_broadcast import AuditEntry
from tests.factories import FakeUser, buttons, document, press
from tests.harness import BotHarness
from tests.pledge_files import template_yaml
from tests.staff_files import OFFICE, xlsx_bytes

ADMIN = BotHarness.ADMIN
ADMIN_NAME = "Quản trị Văn phòng"
HOA = FakeUser(3101, "Hoa", "Lê", "vi")  # head of Văn phòng
LAN = FakeUser(3102, "Lan", "Nguyễn", "vi")  # an official of Phòng Quản lý vận tải


async def seed(harness: BotHarness) -> None:
    async with harness.database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))


async def units(harness: BotHarness) -> dict[str, Unit]:
    async with harness.database.unit_of_work() as session:
        return {u.code: u for u in (await session.scalars(select(Unit))).all()}


async def audit_rows(harness: BotHarness) -> list[AuditEntry]:
    async with harness.database.unit_of_work() as session:
        return list((await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())


async def tap(harness: BotHarness, user: FakeUser, shown: dict[str, Any], data: str) -> dict[str, Any]:
    return await harness.send(press(user, shown, data), to_chat=user.id)


async def refused_tap(harness: BotHarness, user: FakeUser, shown: dict[str, Any], data: str) -> None:
    """A press the bot only answers with an alert: nothing is sent or edited in the chat."""
    server = harness.server
    sent_before, calls_before = len(server.sent.get(user.id, [])), len(server.calls)
    await server.inject(press(user, shown, data))
    answer = await server.wait_for(
        lambda: next((c for c in server.calls[calls_before:] if c.method == "answerCallbackQuery"), None)
    )
    assert answer.params.get("show_alert") in (True, "true", "True")
    assert len(server.sent.get(user.id, [])) == sent_before


async def test_an_admin_browses_and_changes_the_units(harness: BotHarness) -> None:
    await seed(harness)
    tree = await units(harness)
    office = await harness.say(ADMIN, "/units")
    with use_locale("vi"):
        assert office["text"].startswith(_("<b>The whole office</b>"))
    assert [b["callback_data"] for b in buttons(office)] == [f"un:u:{tree['so-gtvt'].id}:0"]
    so = await tap(harness, ADMIN, office, f"un:u:{tree['so-gtvt'].id}:0")
    assert so["_method"] == "editMessageText"
    assert "<code>so-gtvt</code>" in so["text"] and "Văn phòng" in so["text"]
    assert [b["callback_data"] for b in buttons(so)] == [
        f"un:u:{tree['phong-quan-ly-van-tai'].id}:0",
        f"un:u:{tree['van-phong'].id}:0",
        "un:o:0",
    ]
    with use_locale("vi"):
        five = _("{officials} officials ({joined} joined), {units} sub-units").format(
            officials=5, joined=0, units=2
        )
    assert five in so["text"]
    vp = await tap(harness, ADMIN, so, f"un:u:{tree['van-phong'].id}:0")
    assert [b["callback_data"] for b in buttons(vp)] == [f"un:u:{tree['so-gtvt'].id}:0"]  # only "up"

    usage = await harness.say(ADMIN, "/addunit so-gtvt")
    added = await harness.say(ADMIN, "/addunit so-gtvt phong-phap-che Phòng <Pháp chế> & Co")
    clash = await harness.say(ADMIN, "/addunit so-gtvt vp-2 VĂN PHÒNG")
    cycle = await harness.say(ADMIN, "/moveunit so-gtvt phong-phap-che")
    moved = await harness.say(ADMIN, "/moveunit van-phong phong-quan-ly-van-tai")
    renamed = await harness.say(ADMIN, "/renameunit phong-phap-che Phòng Pháp chế")
    head = await harness.say(ADMIN, "/sethead van-phong 0912 000 003")
    with use_locale("vi"):
        assert usage["text"] == _(
            "Usage: /addunit PARENT_CODE CODE Name\n"
            "PARENT_CODE is the code of the unit above it, or - for a top-level unit.\n"
            "Example: /addunit so-gtvt phong-phap-che Phòng Pháp chế"
        )
        assert added["text"] == _(
            "Unit added: <b>{name}</b> (<code>{code}</code>) under <b>{parent}</b>."
        ).format(name="Phòng &lt;Pháp chế&gt; &amp; Co", code="phong-phap-che", parent="Sở GTVT")
        assert clash["text"] == _(
            "There is already a unit named “{detail}” at that place in the tree."
        ).format(detail="VĂN PHÒNG")
        assert cycle["text"] == _("A unit cannot be moved below itself or one of its own sub-units.")
        assert moved["text"] == _(
            "Moved: <b>{name}</b> is now under <b>{parent}</b>, with its sub-units."
        ).format(name="Văn phòng", parent="Phòng Quản lý vận tải")
        assert renamed["text"] == _("Renamed: <code>{code}</code> is now <b>{name}</b>.").format(
            code="phong-phap-che", name="Phòng Pháp chế"
        )
        assert _("No longer head: {names}.").format(names="Lê Thị Hoa") in head["text"]
    tree = await units(harness)
    assert tree["van-phong"].path == f"{tree['phong-quan-ly-van-tai'].path}{tree['van-phong'].id}/"
    assert "vp-2" not in tree
    async with harness.database.unit_of_work() as session:
        roles = {o.full_name: o.role for o in (await session.scalars(select(Official))).all()}
    assert roles["Phạm Minh Châu"] is Role.HEAD and roles["Lê Thị Hoa"] is Role.OFFICIAL
    actions = [(e.action, e.actor_label) for e in await audit_rows(harness)]
    assert [a for a, who in actions if who == ADMIN_NAME] == [
        "unit.add",
        "unit.move",
        "unit.rename",
        "unit.set_head",
    ]

    listing = await harness.say(ADMIN, "/audit")
    lines = listing["text"].split("\n")
    with use_locale("vi"):
        assert lines[0] == _("<b>Audit log: the latest {n}</b>").format(n=5)  # with the seed's import
        assert _("unit renamed") in listing["text"] and _("unit head set") in listing["text"]
    assert "tên: Phòng &lt;Pháp chế&gt; &amp; Co → Phòng Pháp chế" in listing["text"]
    assert listing["text"].index(_("unit renamed")) < listing["text"].index(_("unit moved"))  # newest first


async def test_a_head_sees_only_their_subtree_and_cannot_change_it(harness: BotHarness) -> None:
    await seed(harness)
    await harness.join(HOA, "0912000002")
    await harness.join(LAN, "0912000004")
    tree = await units(harness)
    own = await harness.say(HOA, "/units")
    assert "<code>van-phong</code>" in own["text"] and buttons(own) == []  # no units below, no way up
    assert "/addunit" not in own["text"]
    await refused_tap(harness, HOA, own, "un:o:0")
    await refused_tap(harness, HOA, own, f"un:u:{tree['so-gtvt'].id}:0")
    other = await harness.say(HOA, "/units phong-quan-ly-van-tai")
    refused = await harness.say(HOA, "/addunit van-phong to-1 Tổ 1")
    official = await harness.say(LAN, "/units")
    with use_locale("vi"):
        assert other["text"] == _("You can only see your own unit and the units below it.")
        assert refused["text"] == _("This command is for administrators only.")  # she is a head
        assert official["text"] == _("This command is for unit heads and administrators only.")
    assert set(await units(harness)) == set(tree)
    # Nothing changed but the consents the two gave when they joined.
    assert [e.action for e in await audit_rows(harness)] == ["staff.import", "consent.give", "consent.give"]


async def test_the_admin_menu_explains_or_runs_every_action(harness: BotHarness) -> None:
    await seed(harness)
    await harness.join(LAN, "0912000004")
    menu = await harness.say(ADMIN, "/admin")
    with use_locale("vi"):
        keys = [key for key, _label in menu_entries()]
    assert [b["callback_data"] for b in buttons(menu)] == [f"adm:{key}" for key in keys]
    shown = {key: await tap(harness, ADMIN, menu, f"adm:{key}") for key in keys}
    with use_locale("vi"):
        assert shown["units"]["text"].startswith(_("<b>The whole office</b>"))
        # The staff list's import and Lan's consent.
        assert shown["audit"]["text"].startswith(_("<b>Audit log: the latest {n}</b>").format(n=2))
        assert shown["calendar"]["text"].startswith(_("<b>Calendar from {start} to {end}</b>").split(" {")[0])
        assert shown["schedule"]["text"].startswith(_("<b>Schedule of the whole office</b>"))
        assert "<code>giờ-nhắc</code>" in shown["schedule"]["text"]
        assert shown["import"]["text"] == _(
            "Send the staff list as an .xlsx or .csv file with the columns Họ và tên, Chức vụ, Đơn vị, "
            "Số điện thoại, Email, Vai trò. I will check it and ask you to confirm before importing."
        )
    for key, command in (
        ("invite", "/invite"),
        ("pending", "/pending"),
        ("broadcast", "/broadcast"),
        ("broadcasts", "/broadcasts"),
        ("groups", "/linkgroup"),
        ("pledge", ".yaml"),
        ("export", "python -m bot export"),
    ):
        assert command in shown[key]["text"], key
        assert shown[key]["_method"] == "sendMessage"
    await refused_tap(harness, LAN, menu, "adm:audit")


async def test_chat_actions_of_admins_are_in_the_audit_log(harness: BotHarness) -> None:
    server = harness.server
    meta = server.add_file("danh-sach.xlsx", xlsx_bytes(OFFICE))
    await harness.send(document(ADMIN, meta), to_chat=ADMIN.id)
    summary = await server.wait_for(
        lambda: next((m for m in server.sent[ADMIN.id] if "imp:ok:" in str(m.get("reply_markup"))), None)
    )
    confirm = next(b for b in buttons(summary) if b["callback_data"].startswith("imp:ok:"))
    with use_locale("vi"):
        done = _("Import done: {created} new officials, {updated} updated.").format(created=5, updated=0)
    before = len(server.sent[ADMIN.id])
    await server.inject(press(ADMIN, summary, confirm["callback_data"]))
    await server.wait_for(lambda: any(m.get("text") == done for m in server.sent[ADMIN.id][before:]))
    preview = await harness.send(
        document(ADMIN, server.add_file("thu-1.yaml", template_yaml())), to_chat=ADMIN.id
    )
    # A wording fix: a material change would also send the admin a re-sign request, out of step.
    await tap(harness, ADMIN, preview, "pv:w")
    await harness.say(ADMIN, "/calendar off 06/03/2030 Hội nghị")
    await harness.say(ADMIN, "/calendar remove 06/03/2030")
    await harness.say(ADMIN, "/schedule set reminder_time 08:10")
    await harness.say(ADMIN, "/schedule set quiz_time 9h05 van-phong")
    rows = await audit_rows(harness)
    assert {e.actor_label for e in rows} == {ADMIN_NAME}
    by_action = {e.action: e for e in rows}
    assert list(by_action) == [
        "staff.import",
        "pledge.publish",
        "calendar.add",
        "calendar.remove",
        "schedule.set",
    ]
    assert by_action["staff.import"].after == {
        "file": "danh-sach.xlsx",
        "rows": 5,
        "created": 5,
        "updated": 0,
    }
    assert (
        by_action["pledge.publish"].after is not None
        and by_action["pledge.publish"].after["version"] == "thu-1"
    )
    assert by_action["calendar.remove"].before == {"kind": "off", "note": "Hội nghị"}
    schedule_rows = [e for e in rows if e.action == "schedule.set"]
    assert [(e.subject, e.before, e.after) for e in schedule_rows] == [
        ("schedule:office", {"reminder_time": "07:45"}, {"reminder_time": "08:10"}),
        ("schedule:van-phong", {"quiz_time": None}, {"quiz_time": "09:05"}),
    ]
    listing = await harness.say(ADMIN, "/audit")
    with use_locale("vi"):
        assert f"{_('daily reminder at')}: 07:45 → 08:10" in listing["text"]
