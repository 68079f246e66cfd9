"""Hostile names and texts through every screen that shows them, through the real bot.

The fake Bot API refuses HTML that Telegram could not parse (tests/fakes/telegram_rules.py), so an
unescaped name would fail the send; beyond that, what the person sees (the HTML rendered, or the plain
text when no parse mode was given) must contain the string exactly as it was typed.
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from pypdf import PdfReader

from compliance.pledge import signing as pledges
from handlers.i18n import _, use_locale
from tests.factories import FakeUser, buttons, document, press
from tests.harness import BotHarness
from tests.pledge_files import template
from tests.staff_files import xlsx_bytes

ADMIN = BotHarness.ADMIN
HEAD_NAME = "<b>Lê</b> Thị </i>Hoa &amp; <script>alert(1)</script>"
OFFICIAL_NAME = '<a href="tg://user?id=1">Phạm</a> Minh &lt;Châu'
TITLE = "<i>Chánh</b> Văn phòng & <u>"
UNIT = "Phòng <b>Kế & hoạch"
NEWCOMER_NAME = "<script>Trần</script> Văn &amp; Mới"
BAD_PHONE = "<b>09</b>12"
HEAD = FakeUser(6101, "Hoa", "Lê", "vi")
OFFICIAL = FakeUser(6102, "Châu", "Phạm", "en")
NEWCOMER = FakeUser(6103, "Mới", "Trần", "vi")


class _Rendered(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def shown(message: dict[str, Any]) -> str:
    """What the person reads: HTML rendered (tags gone, entities decoded), or the text as it was sent."""
    text = str(message.get("text") or message.get("caption") or "")
    if message.get("_parse_mode") != "HTML":
        return text
    parser = _Rendered()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def seen_by(harness: BotHarness, user: FakeUser, after: int = 0) -> str:
    return "\n".join(shown(m) for m in harness.server.sent.get(user.id, [])[after:])


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def more_than(harness: BotHarness, user: FakeUser, count: int) -> bool:
    return len(harness.server.messages_to(user.id)) > count


@pytest.fixture
def errors() -> Iterator[list[logging.LogRecord]]:
    handler = _Errors()
    logging.getLogger().addHandler(handler)
    yield handler.records
    logging.getLogger().removeHandler(handler)


async def test_hostile_strings_are_shown_literally_everywhere(
    harness: BotHarness, errors: list[logging.LogRecord]
) -> None:
    server = harness.server
    # A staff list with hostile names, title and unit, and rows whose bad values are echoed back.
    rows: list[list[object]] = [
        [HEAD_NAME, TITLE, f"Sở GTVT / {UNIT}", "0912000002", "", "trưởng đơn vị"],
        [OFFICIAL_NAME, "Chuyên viên", f"Sở GTVT / {UNIT}", "0912000003", "", "cán bộ"],
    ]
    bad: list[list[object]] = [*rows, ["Người Sai", "x", "Sở GTVT", BAD_PHONE, "", "</i>sếp"]]
    meta = server.add_file("ds.xlsx", xlsx_bytes(bad))
    await harness.send(document(ADMIN, meta), to_chat=ADMIN.id)
    await server.wait_for(lambda: BAD_PHONE in seen_by(harness, ADMIN))
    assert "</i>sếp" in seen_by(harness, ADMIN)
    meta = server.add_file("ds.xlsx", xlsx_bytes(rows))
    await harness.send(document(ADMIN, meta), to_chat=ADMIN.id)
    summary = await server.wait_for(
        lambda: next(
            (m for m in reversed(server.sent[ADMIN.id]) if "imp:ok:" in str(m.get("reply_markup"))), None
        )
    )
    ok = next(b for b in buttons(summary) if b["callback_data"].startswith("imp:ok:"))
    before = len(server.sent[ADMIN.id])
    await server.inject(press(ADMIN, summary, ok["callback_data"]))
    await server.wait_for(lambda: len(server.sent[ADMIN.id]) > before + 1)
    async with harness.database.unit_of_work() as session:
        await pledges.publish(session, template=template(), unit=None, material=False, publisher_id=None)

    # Joining and /me: the name, title and unit as typed in the list.
    welcome = await harness.join(HEAD, "0912000002")
    assert HEAD_NAME in shown(welcome) and UNIT in shown(welcome)
    await harness.join(OFFICIAL, "0912000003")
    me = await harness.say(HEAD, "/me")
    assert all(s in shown(me) for s in (HEAD_NAME, TITLE.strip(), UNIT)), shown(me)

    # An invite to the hostile unit, a newcomer with a hostile name, the head's approval.
    invite = await harness.say(HEAD, "/invite")
    assert UNIT in shown(invite)
    code = invite["text"].split("?start=")[1].split()[0]
    asked = await harness.say(NEWCOMER, f"/start {code}")
    assert UNIT in shown(asked)
    head_before = len(server.sent[HEAD.id])
    await harness.say(NEWCOMER, NEWCOMER_NAME)
    request = await server.wait_for(
        lambda: next(
            (m for m in server.sent[HEAD.id][head_before:] if "jr:a:" in str(m.get("reply_markup"))), None
        )
    )
    assert NEWCOMER_NAME in shown(request)
    approve = next(b for b in buttons(request) if b["callback_data"].startswith("jr:a:"))
    newcomer_before = len(server.sent[NEWCOMER.id])
    decided = await harness.send(press(HEAD, request, approve["callback_data"]), to_chat=HEAD.id)
    assert NEWCOMER_NAME in shown(decided), shown(decided)
    await harness.next_to(NEWCOMER.id, after=newcomer_before)
    assert UNIT in seen_by(harness, NEWCOMER, newcomer_before) or NEWCOMER_NAME in seen_by(
        harness, NEWCOMER, newcomer_before
    )

    # Signing: the confirmation names the signer; the receipt prints the name as typed.
    first = await harness.say(OFFICIAL, "/pledge")
    step = first
    while not any(b["callback_data"] == "pl:ok" for b in buttons(step)):
        nexts = [b for b in buttons(step) if b["callback_data"].startswith(("pl:next", "pl:who:me"))]
        if not nexts:
            step = await harness.say(OFFICIAL, OFFICIAL_NAME)
            continue
        before = len(server.messages_to(OFFICIAL.id))
        await server.inject(press(OFFICIAL, step, nexts[0]["callback_data"]))
        await server.wait_for(functools.partial(more_than, harness, OFFICIAL, before))
        step = server.messages_to(OFFICIAL.id)[before]
    assert OFFICIAL_NAME in shown(step)
    before = len(server.sent[OFFICIAL.id])
    await server.inject(press(OFFICIAL, step, "pl:ok"))
    receipt = await server.wait_for(
        lambda: next((m for m in server.sent[OFFICIAL.id][before:] if "document" in m), None)
    )
    pdf = server.files[receipt["document"]["file_id"]][1]
    pdf_text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert OFFICIAL_NAME.split()[0] in pdf_text and UNIT in pdf_text

    # Reports name the head, who has not signed; the unit's line carries the hostile unit name.
    report = await harness.say(ADMIN, "/report")
    assert HEAD_NAME in shown(report) and UNIT in shown(report), shown(report)
    # /mydata and a ceremony for the hostile unit.
    mine = await harness.say(OFFICIAL, "/mydata")
    assert OFFICIAL_NAME in shown(mine) and UNIT in shown(mine)
    ceremony = await harness.say(HEAD, "/ceremony")
    assert UNIT in shown(ceremony)

    with use_locale("vi"):
        sorry = _(
            "Sorry, something went wrong and this step was not completed. Everything you had already "
            "confirmed is safe. Please try again in a moment."
        )
    for user in (ADMIN, HEAD, OFFICIAL, NEWCOMER):
        assert sorry not in seen_by(harness, user)
    assert [r.getMessage() for r in errors] == []
