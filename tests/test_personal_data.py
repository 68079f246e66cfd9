"""/mydata and erasure (Nghị định 13/2023/NĐ-CP): a person sees everything stored about them; an admin
erases a person who left, the ledger still verifies and nothing of their name or phone remains."""

from __future__ import annotations

import asyncio
import functools
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main
from compliance.office.accounts import accounts_of
from compliance.pledge import ledger
from handlers.i18n import _, use_locale
from storage.engine import Database
from storage.models import Official, OfficialStatus
from storage.models_broadcast import AuditEntry
from storage.models_pledge import Signature
from tests.db_snapshot import changed_tables, snapshot, traces_of
from tests.factories import FakeUser, buttons, press
from tests.harness import BotHarness
from tests.test_reports import office  # noqa: F401

ADMIN = BotHarness.ADMIN
LAN = FakeUser(302, "Lan", "Nguyễn", "en")  # Nguyễn Thị Lan in the office fixture, an official who signed
HOA = FakeUser(300, "Hoa", "Lê", "vi")  # Lê Thị Hoa, head of Văn phòng
# Every test runs on the small office with known activity (the fixture returns the same database).
pytestmark = pytest.mark.usefixtures("office")
LAN_TRACES = ["Nguyễn Thị Lan", "nguyễn thị lan", "+84912000004", "912000004"]


async def json_sent(harness: BotHarness, user: FakeUser, before: int) -> dict[str, Any]:
    sent = await harness.server.wait_for(
        lambda: next((m for m in harness.server.messages_to(user.id)[before:] if "document" in m), None)
    )
    name, content = harness.server.files[sent["document"]["file_id"]]
    assert name.endswith(".json")
    data: dict[str, Any] = json.loads(content)
    # the caption says whose data it is
    assert (data["official"]["full_name"] or "—") in sent["caption"] and ".json" not in sent["caption"]
    return data


async def test_mydata_sends_everything_stored_as_json_and_text(
    database: Database, harness: BotHarness
) -> None:
    before = len(harness.server.messages_to(LAN.id))
    summary = await harness.say(LAN, "/mydata")
    assert "Your data stored by Cam Kết Bot" in summary["text"] and "Name: Nguyễn Thị Lan" in summary["text"]
    assert "Pledge signatures: 1" in summary["text"] and "Daily reminders: 3, read: 2" in summary["text"]
    data = await json_sent(harness, LAN, before)
    assert data["official"]["full_name"] == "Nguyễn Thị Lan" and data["official"]["phone"] == "+84912000004"
    assert data["unit"]["name"] == "Phòng Quản lý vận tải"
    (signature,) = data["signatures"]
    async with database.unit_of_work() as session:
        row = await session.scalar(select(Signature).where(Signature.typed_name == "Nguyễn Thị Lan"))
        assert row is not None
    assert (signature["row_hash"], signature["typed_name_sha256"]) == (row.row_hash, row.typed_name_sha256)
    (check,) = data["self_checks"]
    assert check["status"] == "done" and check["scores"] == {"biet-1": 2, "biet-2": 2, "khong-1": 0}
    assert [q["score"] for q in data["quiz_attempts"]] == [4]
    assert sum(1 for r in data["daily_reminders"] if r["read_at"]) == 2
    # Nothing of anyone else: Hoa's name appears nowhere in Lan's file.
    assert "Lê Thị Hoa" not in json.dumps(data, ensure_ascii=False)


async def test_mydata_in_vietnamese(database: Database, harness: BotHarness) -> None:
    summary = await harness.say(HOA, "/mydata")
    with use_locale("vi"):
        heading = _("<b>Your data stored by Cam Kết Bot</b>")
    assert heading != "<b>Your data stored by Cam Kết Bot</b>" and summary["text"].startswith(heading)


def answered(harness: BotHarness, start: int) -> bool:
    return any(c.method == "answerCallbackQuery" for c in harness.server.calls[start:])


async def test_an_admin_erases_a_person_who_left(database: Database, harness: BotHarness) -> None:
    await harness.say(ADMIN, "/me")  # the admin's own row exists before the snapshot
    asked = await harness.say(ADMIN, "/erase 0912 000 004")
    ok = next(b for b in buttons(asked) if b["callback_data"].startswith("er:ok:"))
    # Somebody else pressing the same button (an official, a head) is refused and changes nothing.
    state = await snapshot(database)
    for intruder in (LAN, HOA):
        calls = len(harness.server.calls)
        await harness.server.inject(press(intruder, asked, ok["callback_data"]))
        await harness.server.wait_for(functools.partial(answered, harness, calls))
    assert changed_tables(state, await snapshot(database)) == []

    done = await harness.send(press(ADMIN, asked, ok["callback_data"]), to_chat=ADMIN.id)
    assert "Erased" in done["text"] or "Đã xóa" in done["text"]
    async with database.unit_of_work() as session:
        assert (await ledger.verify(session)).ok
        lan = await session.scalar(select(Official).where(Official.full_name == "—"))
        assert lan is not None and lan.status is OfficialStatus.LEFT and lan.erased_at is not None
        assert await accounts_of(session, lan.id) == [] and lan.phone is None
        assert (
            len((await session.scalars(select(Signature).where(Signature.official_id == lan.id))).all()) == 1
        )
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "official.erase"))
        assert entry is not None and entry.subject == f"official:{lan.id}"
        assert entry.after is not None and "phone" in entry.after["cleared"]
    assert await traces_of(database, LAN_TRACES) == []
    # Her Telegram account is nobody's now: /mydata is refused as for a stranger.
    with use_locale("en"):
        stranger = _(
            "Hello! This bot is for officials of offices that run the friendly-office pledge.\n\n"
            "To join, open /start and share your phone number: it must be on your office's staff list. "
            "If you are not on the list, ask your unit head or the office for an invite link."
        )
    assert (await harness.say(LAN, "/mydata"))["text"] == stranger
    # Pressing the confirmation again finds nothing left to erase.
    calls = len(harness.server.calls)
    await harness.server.inject(press(ADMIN, asked, ok["callback_data"]))
    answer = await harness.server.wait_for(
        lambda: next((c for c in harness.server.calls[calls:] if c.method == "answerCallbackQuery"), None)
    )
    with use_locale("vi"):
        assert answer.params.get("text") == _("This person's data has already been erased.")


async def test_erase_refuses_admins_unknown_numbers_and_bad_input(
    database: Database, harness: BotHarness
) -> None:
    state = None
    with use_locale("vi"):
        expected = {
            "/erase": _("Usage: /erase PHONE (the phone number on the staff list)."),
            "/erase <b>abc</b>": _("Usage: /erase PHONE (the phone number on the staff list)."),
            "/erase 0987 654 321": _("Nobody on the staff list has this phone number."),
        }
    await harness.say(ADMIN, "/me")
    state = await snapshot(database)
    for text, answer in expected.items():
        assert (await harness.say(ADMIN, text))["text"] == answer
    assert (await harness.say(LAN, "/erase 0912000003"))["text"] == (
        "This command is for administrators only."
    )
    assert changed_tables(state, await snapshot(database)) == []


async def test_erase_from_the_command_line_keeps_the_ledger_verifiable(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database.url)
    assert await asyncio.to_thread(main, ["erase", "0912 000 004", "--yes"]) == 0
    assert await asyncio.to_thread(main, ["ledger", "verify"]) == 0
    assert await asyncio.to_thread(main, ["erase", "0912 000 004", "--yes"]) == 1  # the phone is gone
    assert await traces_of(database, LAN_TRACES) == []
    async with database.unit_of_work() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "official.erase"))
        assert entry is not None and entry.actor_id is None and entry.actor_label == "cli"
