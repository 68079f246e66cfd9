"""Property-based fuzzing of the real Application: thousands of updates from every kind of person.

Random and huge texts, every Unicode oddity, commands with junk arguments, unknown and forged buttons
(another person's objects, an acknowledgement of a broadcast never received, approvals by non-heads),
documents of the wrong type or size, edited messages, channel posts, anonymous group admins. For every
update: no unhandled exception (nothing logged at ERROR), a refused update changes no row (every table's
count and checksum), a person in a private chat always gets an answer, and every answer is in that
person's language (judged against the catalogs). The totals are printed by the last test.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from compliance.broadcasts import sending as broadcasts
from compliance.broadcasts.sending import Draft, Target, TargetKind
from compliance.office import joining
from compliance.office.accounts import ChannelUser
from compliance.office.officials import pick_locale
from compliance.office.units import get_unit_by_code
from storage.clock import utcnow
from storage.engine import Database
from storage.models import OfficialStatus, OutboxMessage
from tests.db_snapshot import changed_tables, snapshot
from tests.factories import FakeUser, by_telegram
from tests.languages import language_of
from tests.roles import GROUP_CHAT, ROLES, OfficeBot, callback_update, message_update, office_bot
from tests.staff_files import csv_bytes, xlsx_bytes

# Totals per engine, printed at the end (pytest -s shows them; the report quotes them).
TOTALS: dict[str, Counter[str]] = {}
ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
CHANNEL = {"id": -1009876543210, "type": "channel", "title": "Kênh tin Sở GTVT"}
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")),
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)

# ---- what people type ----------------------------------------------------------------------------------
VIETNAMESE = [
    "Nguyễn Thị Lan",
    "Lê Thị Hoa",
    "Phạm Minh Châu",
    "Đỗ Quang Huy",
    "Sở GTVT",
    "cán bộ",
    "Văn phòng",
]
ODDITIES = [
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u2066",
    "\u2069",
    "\u200b",  # zero-width space
    "\u200c",
    "\u200d",
    "\ufeff",
    "\u2060",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\r\n",
    "\t",
    "👍",
    "🇻🇳",
    "👨\u200d👩\u200d👧",
    "👋🏽",
    "<b>",
    "</i>",
    "&amp;",
    "<script>alert(1)</script>",
    '<a href="tg://user?id=1">',
    "%s%n{0}{name}",
    "'; DROP TABLE officials; --",
    "\\",
    "@camket_test_bot",
]
words = st.one_of(
    st.sampled_from(VIETNAMESE).map(lambda w: unicodedata.normalize("NFD", w)),
    st.sampled_from(VIETNAMESE),
    st.sampled_from(ODDITIES),
    st.text(max_size=12),
)
odd_text = st.lists(words, max_size=12).map(" ".join)
huge_text = st.builds(
    lambda piece, times: (piece * times)[:10_000], st.text(min_size=1, max_size=30), st.integers(100, 10_000)
)
any_text = st.one_of(odd_text, st.text(max_size=300), huge_text)

COMMAND_NAMES = ["start", "help", "cancel", "me", "lang", "mydata", "pledge", "mypledge", "quiz", "checkin"]
COMMAND_NAMES += ["report", "mute", "invite", "ceremony", "import", "calendar", "schedule", "erase", "units"]
COMMAND_NAMES += ["addunit", "renameunit", "moveunit", "sethead", "admin", "audit", "broadcast", "broadcasts"]
COMMAND_NAMES += [
    "linkgroup",
    "unlinkgroup",
    "groupreport",
    "pending",
    "nosuchcommand",
    "START",
    "Me",
    "x" * 40,
]
junk_args = st.one_of(
    st.just(""),
    odd_text,
    st.sampled_from(["off", "15/12", "31/02/2027", "0912000004", "+84912000003", "van-phong", "set"]),
    st.lists(
        st.sampled_from(["1", "0", "-1", "999999", "90", "1001", "so-gtvt", "sign", "on", "reminder_time"])
    ).map(" ".join),
    huge_text,
)
commands = st.builds(
    lambda name, at, args: f"/{name}{at} {args}".rstrip(),
    st.sampled_from(COMMAND_NAMES),
    st.sampled_from(["", "", "@camket_test_bot", "@other_bot"]),
    junk_args,
)

# ---- who sends it ---------------------------------------------------------------------------------------
strangers = st.builds(
    FakeUser,
    st.integers(1_000_000, 9_999_999_999),
    st.sampled_from(["Người", "Lạ", "\u202eevil", "<b>x</b>", "Ａ"]),
    st.just(""),
    st.sampled_from(["vi", "en", None, "fr", "vi-VN", "en-US"]),
)
people = st.one_of(st.sampled_from(list(ROLES.values())), strangers)


@pytest.fixture
async def bot(database: Database) -> AsyncIterator[OfficeBot]:
    async with office_bot(database) as started:
        await _seed_objects(started)
        yield started


async def _seed_objects(bot: OfficeBot) -> None:
    """Objects to forge presses for: a pending join request, a broadcast Châu received and Nam did not."""
    async with bot.database.unit_of_work() as session:
        unit = await get_unit_by_code(session, "van-phong")
        assert unit is not None
        invite = await joining.create_invite(session, unit=unit, created_by=bot.actors["head"])
        await joining.redeem_invite(
            session, code=invite.code, user=ChannelUser.telegram(4242), display_name="Mới", locale="vi"
        )
        await joining.submit_name(session, user=ChannelUser.telegram(4242), raw_name="Trần Văn Mới")
        draft = Draft(
            text="Kế hoạch tháng 12", target=Target(TargetKind.ALL), send_at=utcnow(), requires_ack=True
        )
        sent = await broadcasts.create(session, actor=bot.actors["head"], draft=draft)
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.broadcast_id == sent.id)
            .values(status="sent", sent_at=utcnow() - timedelta(minutes=5), channel_message_id="1")
        )


def _ids() -> st.SearchStrategy[str]:
    return st.one_of(st.integers(-2, 12).map(str), st.sampled_from(["999999", "0x1", "1e3", "", "٣"]))


segments = st.one_of(
    _ids(),
    st.sampled_from(
        ["a", "r", "ok", "no", "end", "x", "m", "w", "p", "c", "n", "week", "note", "go", "open"]
    ),
    st.sampled_from(
        ["start", "who", "me", "unit", "next", "q", "2026-11-16", "2099-01-01", "vi", "en", "fr"]
    ),
    st.text(max_size=8),
)
PREFIXES = ["lang", "jr", "imp", "pl", "qz", "rd", "rp", "sc", "pv", "cer", "un", "adm", "bc", "ack", "er"]
forged_data = st.one_of(
    st.builds(
        lambda prefix, rest: ":".join([prefix, *rest])[:64],
        st.sampled_from([*PREFIXES, "zz", "", "JR"]),
        st.lists(segments, max_size=4),
    ),
    st.text(max_size=64),
)


async def _expected_locale(bot: OfficeBot, user: FakeUser) -> str:
    async with bot.database.unit_of_work() as session:
        official = await by_telegram(session, user.id)
        if official is not None and official.status is not OfficialStatus.LEFT and official.locale:
            return official.locale
    return pick_locale(user.language_code, "vi")


async def _check(
    bot: OfficeBot, update: dict[str, Any], who: FakeUser | None, kind: str, answerable: bool
) -> None:
    """Run one update and hold it to the rules; count what happened."""
    totals = TOTALS.setdefault(bot.database.dialect, Counter())
    before = await snapshot(bot.database)
    outcome = await bot.run(update)
    changed = changed_tables(before, await snapshot(bot.database))
    totals["updates"] += 1
    totals[f"kind {kind}"] += 1
    totals["unhandled exceptions"] += len(outcome.errors)
    assert outcome.errors == [], [r.getMessage() for r in outcome.errors]
    locale = await _expected_locale(bot, who) if who is not None else "vi"
    refused = outcome.refused(locale)
    if refused:
        totals["refused"] += 1
        totals["rows changed by refused updates"] += len(changed)
        assert changed == [], f"a refused {kind} changed {changed}"
    other = "en" if locale == "vi" else "vi"
    for text in outcome.said():
        assert other not in language_of(text), f"answer in the wrong language for {locale}: {text[:300]!r}"
    if not answerable:
        totals["ignored (no person or not for the bot)"] += 0 if outcome.said() else 1
        return
    assert outcome.said() or any(c.method == "answerCallbackQuery" for c in outcome.calls), (
        f"{kind}: no answer"
    )
    if refused:
        assert any(locale in language_of(text) for text in outcome.said()), f"refusal not in {locale}"
        totals[f"refusals answered in {locale}"] += 1


@FUZZ
@given(who=people, text=any_text)
async def test_fuzz_texts(bot: OfficeBot, who: FakeUser, text: str) -> None:
    if not text.strip() or text.startswith("/"):
        text = "x" + text
    await _check(bot, message_update(who, text), who, "text", answerable=True)


@FUZZ
@given(who=people, text=commands, in_group=st.booleans())
async def test_fuzz_commands(bot: OfficeBot, who: FakeUser, text: str, in_group: bool) -> None:
    chat = GROUP_CHAT if in_group else None
    await _check(bot, message_update(who, text, chat=chat), who, "command", answerable=not in_group)


@FUZZ
@given(who=people, data=forged_data)
async def test_fuzz_buttons(bot: OfficeBot, who: FakeUser, data: str) -> None:
    await _check(bot, callback_update(who, data), who, "button", answerable=True)


def _xlsx_of(rows: list[list[str]]) -> bytes:
    """An Excel file cannot hold control characters at all: whatever else is odd stays."""
    clean = [["".join(ch for ch in cell if unicodedata.category(ch) != "Cc") for cell in row] for row in rows]
    return xlsx_bytes(clean)


DOCUMENTS = st.one_of(
    st.tuples(
        st.sampled_from(["ds.xlsx", "ds.csv", "mau.yaml", "a.exe", "ds.XLSX", "ảnh.png", ""]),
        st.binary(max_size=600),
    ),
    st.tuples(
        st.just("ds.csv"), st.lists(st.lists(odd_text, min_size=6, max_size=6), max_size=4).map(csv_bytes)
    ),
    st.tuples(
        st.just("ds.xlsx"), st.lists(st.lists(odd_text, min_size=6, max_size=6), max_size=3).map(_xlsx_of)
    ),
    st.tuples(st.just("mau.yaml"), odd_text.map(lambda t: f"code: x\nversion: {t}\n".encode())),
)


@FUZZ
@given(
    who=people,
    document=DOCUMENTS,
    declared=st.sampled_from([None, 0, 60 * 1024 * 1024]),
    mime=st.sampled_from(["application/octet-stream", "text/csv", "image/png", "application/x-msdownload"]),
)
async def test_fuzz_documents(
    bot: OfficeBot, who: FakeUser, document: tuple[str, bytes], declared: int | None, mime: str
) -> None:
    name, content = document
    meta = bot.server.add_file(name or "file", content)
    if not name:
        meta.pop("file_name")
    if declared is not None:
        meta["file_size"] = declared  # what Telegram says, whatever the bytes are
    update = message_update(who, document={**meta, "mime_type": mime})
    await _check(bot, update, who, "document", answerable=True)


def _other_update(kind: str, who: FakeUser, text: str) -> tuple[dict[str, Any], bool]:
    """Updates nobody should act on, and messages that are not text; True if the person must be answered."""
    if kind == "edited":
        body = message_update(who, text)["message"]
        return {"edited_message": {**body, "edit_date": body["date"] + 5}}, False
    if kind == "channel":
        return {
            "channel_post": {"message_id": 7, "date": 1_790_000_000, "chat": CHANNEL, "text": text}
        }, False
    if kind == "anonymous admin":
        body = message_update(who, text, chat=GROUP_CHAT)["message"]
        return {"message": {**body, "from": ANONYMOUS_ADMIN, "sender_chat": GROUP_CHAT}}, False
    if kind == "group text":
        return message_update(who, text, chat=GROUP_CHAT), False
    if kind == "sticker":
        sticker = {"file_id": "s1", "file_unique_id": "us1", "type": "regular", "width": 512, "height": 512}
        sticker |= {"is_animated": False, "is_video": False}
        return message_update(who, sticker=sticker), True
    if kind == "location":
        return message_update(who, location={"latitude": 21.03, "longitude": 105.85}), True
    phone = text if text.strip() else "0912000004"
    return message_update(
        who, contact={"phone_number": phone[:50], "first_name": "X", "user_id": who.id + 1}
    ), True


@FUZZ
@given(
    who=people,
    kind=st.sampled_from(
        ["edited", "channel", "anonymous admin", "group text", "sticker", "location", "contact"]
    ),
    text=st.one_of(commands, odd_text),
)
async def test_fuzz_other_updates(bot: OfficeBot, who: FakeUser, kind: str, text: str) -> None:
    update, answerable = _other_update(kind, who, text or "x")
    person = None if kind in ("channel", "anonymous admin") else who
    await _check(bot, update, person, kind, answerable=answerable)


def test_zz_totals(capsys: pytest.CaptureFixture[str]) -> None:
    """The figures of the run, per engine (only meaningful after the fuzz tests above ran)."""
    with capsys.disabled():
        for engine, totals in sorted(TOTALS.items()):
            print(f"\nfuzz totals ({engine}):")
            for key, value in sorted(totals.items()):
                print(f"  {key}: {value}")
    for totals in TOTALS.values():
        assert totals["unhandled exceptions"] == 0 and totals["rows changed by refused updates"] == 0
