"""Signing through the real bot: Vietnamese and English, cancel halfway, a wrong name, twice, receipts."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

from pypdf import PdfReader
from sqlalchemy import func, select

from compliance.office.staff_import import import_staff
from compliance.pledge import ledger
from compliance.pledge import signing as pledges
from handlers.i18n import _, use_locale
from storage.models_pledge import Signature
from tests.factories import FakeUser, buttons, message, press
from tests.harness import BotHarness
from tests.pledge_files import template
from tests.staff_files import OFFICE, xlsx_bytes

LAN = FakeUser(5001, "Lan", "Nguyễn", "vi")  # Nguyễn Thị Lan
HUY = FakeUser(5002, "Huy", "Đỗ", "en")  # Đỗ Quang Huy
CHAU = FakeUser(5003, "Châu", "Phạm", "vi")  # Phạm Minh Châu
HOA = FakeUser(5004, "Hoa", "Lê", "vi")  # Lê Thị Hoa, head of Văn phòng


async def setup_office(harness: BotHarness, *, quiz: bool = False) -> None:
    async with harness.database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        await pledges.publish(
            session, template=template(quiz=quiz), unit=None, material=False, publisher_id=None
        )
    for user, phone in ((LAN, "0912000004"), (HUY, "0912000005"), (CHAU, "0912000003"), (HOA, "0912000002")):
        await harness.join(user, phone)


async def tap(harness: BotHarness, user: FakeUser, shown: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Press the button of `shown` whose data starts with prefix; return the next message in that chat."""
    button = next(b for b in buttons(shown) if b["callback_data"].startswith(prefix))
    before = len(harness.server.messages_to(user.id))
    await harness.server.inject(press(user, shown, button["callback_data"]))
    # The bot removes the pressed keyboard (an edit), then sends the next step as a new message.
    await harness.server.wait_for(lambda: len(harness.server.messages_to(user.id)) > before)
    return harness.server.messages_to(user.id)[before]


async def read_to_the_name_prompt(harness: BotHarness, user: FakeUser) -> dict[str, Any]:
    first = await harness.say(user, "/pledge")
    second = await tap(harness, user, first, "pl:next:0")
    return await tap(harness, user, second, "pl:next:1")


async def sign(harness: BotHarness, user: FakeUser, name: str) -> bytes:
    await read_to_the_name_prompt(harness, user)
    confirm = await harness.say(user, name)
    before = len(harness.server.sent[user.id])
    button = next(b for b in buttons(confirm) if b["callback_data"] == "pl:ok")
    await harness.server.inject(press(user, confirm, button["callback_data"]))
    receipt = await harness.server.wait_for(
        lambda: next((m for m in harness.server.sent[user.id][before:] if "document" in m), None)
    )
    name_, content = harness.server.files[receipt["document"]["file_id"]]
    assert name_.endswith(".pdf")
    assert re.search(r"\d{2}/\d{2}/\d{4}|\d{1,2} [A-Z][a-z]{2} \d{4}", receipt["caption"])  # signed when
    return content


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def test_signing_in_two_languages_with_receipts(harness: BotHarness) -> None:
    await setup_office(harness)
    # Lan signs in Vietnamese; her name typed in NFD and lower case still matches.
    vi_receipt = await sign(harness, LAN, unicodedata.normalize("NFD", "nguyễn thị  lan"))
    # Huy signs in English.
    en_receipt = await sign(harness, HUY, "Đỗ Quang Huy")
    async with harness.database.unit_of_work() as session:
        verdict = await ledger.verify(session)
        rows = (await session.scalars(select(Signature).order_by(Signature.id))).all()
    assert verdict == ledger.Verification(True, 2)
    lan_text, huy_text = pdf_text(vi_receipt), pdf_text(en_receipt)
    assert "Nguyễn Thị Lan" in lan_text and rows[0].row_hash in lan_text.replace("\n", "")
    with use_locale("vi"):
        assert _("PLEDGE RECEIPT") in lan_text and "Biết lắng nghe số 1." in lan_text
    assert "PLEDGE RECEIPT" in huy_text and "Know how to listen 1." in huy_text and "Đỗ Quang Huy" in huy_text
    assert (rows[0].locale, rows[1].locale) == ("vi", "en")
    # /mypledge sends the very same PDF again.
    before = len(harness.server.sent[LAN.id])
    await harness.server.inject(message(LAN, "/mypledge"))
    again = await harness.server.wait_for(
        lambda: next((m for m in harness.server.sent[LAN.id][before:] if "document" in m), None)
    )
    assert harness.server.files[again["document"]["file_id"]][1] == vi_receipt

    # Signing the same version twice is refused politely, with the date.
    twice = await harness.say(LAN, "/pledge")
    assert "/mypledge" in twice["text"] and not buttons(twice)


async def test_cancel_halfway_and_a_wrong_name_record_nothing(harness: BotHarness) -> None:
    await setup_office(harness)
    await read_to_the_name_prompt(harness, CHAU)
    cancelled = await harness.say(CHAU, "/cancel")
    with use_locale("vi"):
        assert cancelled["text"] == _("Cancelled. Nothing was recorded.")
    await read_to_the_name_prompt(harness, LAN)
    wrong = await harness.say(LAN, "Nguyễn Thị Lam")
    assert not buttons(wrong) and "3" in wrong["text"]  # says how many words are expected, nothing else
    async with harness.database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Signature)) == 0


async def test_a_material_version_asks_signers_to_resign(harness: BotHarness) -> None:
    await setup_office(harness)
    await sign(harness, LAN, "Nguyễn Thị Lan")
    before = {u.id: len(harness.server.sent[u.id]) for u in (LAN, HUY, CHAU, HOA)}
    async with harness.database.unit_of_work() as session:
        result = await pledges.publish(
            session, template=template(version=2, items=3), unit=None, material=True, publisher_id=None
        )
    assert result.resign_requests == 4  # the four who joined; the admin has never written to the bot
    assert harness.app is not None
    harness.app.bot_data.outbox_wakeup.set()
    for user in (LAN, HUY, CHAU, HOA):
        request = await harness.next_to(user.id, after=before[user.id])
        assert "/pledge" in request["text"]
    again = await harness.say(LAN, "/pledge")
    assert buttons(again)  # the new version can be signed


async def test_the_comprehension_quiz_comes_before_the_name(harness: BotHarness) -> None:
    await setup_office(harness, quiz=True)
    question = await read_to_the_name_prompt(harness, HUY)
    assert "Question 1 of 3" in question["text"]
    retry = await tap(harness, HUY, question, "pl:q:0:0")  # wrong: explained, asked again
    assert "Not quite" in retry["text"] and "Question 1 of 3" in retry["text"]
    step = retry
    for n in range(3):
        step = await tap(harness, HUY, step, f"pl:q:{n}:1")
    assert "full name" in step["text"] or "Correct" in step["text"]
