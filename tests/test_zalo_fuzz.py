"""Property-based fuzzing of Zalo's way in: update bodies as Zalo sends them and as it must not (fields
missing or of the wrong type, huge, NFD and hostile texts, control characters, unknown events, bodies that
are not JSON at all), through the parser, the webhook route of a running channel and its long polling,
against the fake Zalo server, with an office whose members talk to the bot.

For every body: the parser never raises (a body it cannot read is logged, without its content, and
skipped); the webhook answers 200 or 400, never 500; nothing is logged at ERROR (a handler that failed);
no message sent is over Zalo's 2 000 characters (the fake refuses those with 400, which is counted). The
number of examples is FUZZ_EXAMPLES (as for the Telegram fuzzing); the totals are printed by the last test.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import os
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from bot.zalo_channel import SECRET_HEADER, WEBHOOK_PATH, ZaloChannel
from handlers.zalo.client import ZaloClient
from handlers.zalo.delivery import ZaloPace
from handlers.zalo.render import MAX_TEXT
from handlers.zalo.updates import parse_update
from storage.engine import Database
from tests.fakes.zalo import FakeZalo
from tests.test_zalo_dialogs import HOA, LAN, office

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
SECRET = "fuzzing-the-zalo-webhook"
TOTALS: dict[str, Counter[str]] = {}
_unique = itertools.count(1)


def _settings(examples: int) -> settings:
    return settings(
        max_examples=max(1, examples),
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.data_too_large,
        ],
    )


# ---- what people type -----------------------------------------------------------------------------------
KEYWORDS = ["menu", "ký", "KY", "1", "2", "1 2 3 1", "đồng ý", "ĐỒNG Ý", "huy", "tro giup", "toi", "web"]
KEYWORDS += ["tu danh gia", "trac nghiem", "A", "da nhan", "đã đọc", "cho duyet", "duyệt 1", "tu choi 99"]
KEYWORDS += ["bao cao", "ngon ngu", "Nguyễn Thị Lan", "Lê Thị Hoa", "HK7M-4QXT", "Ab3_x-YZ9kLm", "/start"]
ODDITIES = ["\u202e", "\u200b", "\ufeff", "\x00", "\x07", "\x1b[31m", "\r\n", "\t", "👨\u200d👩\u200d👧"]
ODDITIES += ["<b>", "&amp;", "<script>alert(1)</script>", "%s{0}{name}", "'; DROP TABLE officials; --"]
words = st.one_of(
    st.sampled_from(KEYWORDS),
    st.sampled_from(KEYWORDS).map(lambda w: unicodedata.normalize("NFD", w)),
    st.sampled_from(ODDITIES),
    st.text(max_size=12),
)
odd_text = st.lists(words, max_size=10).map(" ".join)
huge_text = st.builds(
    lambda piece, times: (piece * times)[:12_000], st.text(min_size=1, max_size=30), st.integers(100, 12_000)
)
any_text = st.one_of(odd_text, odd_text, st.text(max_size=300), huge_text)

# ---- the fields of an update ----------------------------------------------------------------------------
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
STRANGERS = ["7a7a7a7a00000001", "7a7a7a7a00000002"]
user_ids = st.one_of(
    st.sampled_from([LAN, HOA, LAN, HOA, *STRANGERS]),
    st.sampled_from(["", " ", "x" * 101, "x" * 100, "\u202e1", "٣"]),
    json_values,
)
EVENTS = ["message.text.received", "message.image.received", "message.sticker.received"]
EVENTS += ["message.unsupported.received", "message.text.received", "", "user.follow"]
events = st.one_of(st.sampled_from(EVENTS), json_values)
texts = st.one_of(any_text, any_text, json_values)
dates = st.one_of(
    st.integers(0, 4_102_444_800_000),
    st.sampled_from([-1, 10**30, "1790000000000", "hôm qua", math.inf]),
    json_values,
)
message_ids = st.one_of(
    st.text(min_size=1, max_size=24), st.sampled_from(["", "m1", "m1", "x" * 101]), json_values
)
FIELDS = ("event_name", "from", "chat", "text", "message_id", "date", "display_name", "chat_type")


@st.composite
def updates(draw: st.DrawFn) -> Any:
    """An update as Zalo documents it (two in three), or with fields missing or of another type."""
    if draw(st.integers(0, 2)):
        return draw(well_formed)
    user = draw(user_ids)
    missing = draw(st.sets(st.sampled_from(FIELDS), max_size=3)) if draw(st.booleans()) else set()
    sender: dict[str, Any] = {"id": user, "is_bot": draw(st.booleans())}
    if "display_name" not in missing:
        sender["display_name"] = draw(st.one_of(odd_text, json_values))
    chat: dict[str, Any] = {"id": draw(st.one_of(st.just(user), json_values))}
    if "chat_type" not in missing:
        chat["chat_type"] = draw(st.sampled_from(["PRIVATE", "PRIVATE", "GROUP", "private", "", "?"]))
    message: dict[str, Any] = {}
    for name, value in (
        ("from", sender if draw(st.integers(0, 9)) else draw(json_values)),
        ("chat", chat if draw(st.integers(0, 9)) else draw(json_values)),
        ("text", draw(texts)),
        ("message_id", draw(message_ids)),
        ("date", draw(dates)),
    ):
        if name not in missing:
            message[name] = value
    update: dict[str, Any] = {"message": message if draw(st.integers(0, 19)) else draw(json_values)}
    if "event_name" not in missing:
        update["event_name"] = draw(events)
    shape = draw(st.sampled_from(["bare", "bare", "wrapped", "list", "empty list"]))
    if shape == "wrapped":
        return {"ok": True, "result": update}
    if shape == "list":
        return {"ok": True, "result": [update]}
    return {"ok": True, "result": []} if shape == "empty list" else update


@st.composite
def _well_formed(draw: st.DrawFn) -> dict[str, Any]:
    """What Zalo's documentation shows, from the office's members and strangers, with any text at all."""
    user = draw(st.sampled_from([LAN, HOA, LAN, HOA, *STRANGERS]))
    update = {
        "event_name": draw(st.sampled_from([*EVENTS[:4], EVENTS[0], EVENTS[0]])),
        "message": {
            "from": {"id": user, "display_name": draw(odd_text), "is_bot": False},
            "chat": {"id": user, "chat_type": draw(st.sampled_from(["PRIVATE"] * 5 + ["GROUP"]))},
            "text": draw(any_text),
            # Hypothesis repeats its values: an id of its own per update, or most would be skipped as
            # repeats of one message (the mutated updates above still repeat ids on purpose).
            "message_id": f"{next(_unique):020x}",
            "date": draw(st.integers(1_700_000_000_000, 1_900_000_000_000)),
        },
    }
    return {"ok": True, "result": update} if draw(st.booleans()) else update


well_formed = _well_formed()


bodies = st.one_of(updates(), updates(), updates(), json_values)


# A body that is not JSON at all, three calls in seven (the webhook answers 400); None: the JSON of `body`.
not_json = st.one_of(
    st.none(), st.none(), st.none(), st.none(), st.binary(max_size=40), st.just(b"\xff\xfe{"), st.just(b"")
)


# ---- the parser ------------------------------------------------------------------------------------------
@_settings(EXAMPLES * 5)
@given(body=bodies)
def test_fuzz_the_parser(body: Any) -> None:
    totals = TOTALS.setdefault("parser", Counter())
    parsed = parse_update(body)
    totals["bodies"] += 1
    if parsed is None:
        totals["unreadable (logged, skipped)"] += 1
        return
    totals["read"] += 1
    assert parsed.user_id and len(parsed.user_id) <= 100 and len(parsed.message_id) <= 100
    assert parsed.user_id.isprintable() and parsed.message_id.isprintable() and parsed.chat_id.isprintable()
    assert parsed.sent_at.tzinfo is not None
    if parsed.text is not None:
        assert unicodedata.is_normalized("NFC", parsed.text) and len(parsed.text) <= 10_000


def test_an_unreadable_body_is_logged_without_its_content(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="handlers.zalo.updates"):
        assert parse_update({"message": {"from": "Nguyễn Thị Bí Mật", "text": "mật khẩu 123"}}) is None
        assert parse_update([1, 2]) is None and parse_update({"ok": True, "result": []}) is None
        # A NUL byte in an id (found by the webhook fuzzing: PostgreSQL refused the event's row).
        nul = {"event_name": "message.text.received", "message": {"from": {"id": "a\x00"}, "message_id": "1"}}
        assert parse_update(nul) is None
    assert len(caplog.records) == 4
    assert "Bí Mật" not in caplog.text and "mật khẩu" not in caplog.text


# ---- a running channel -----------------------------------------------------------------------------------
@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


def _channel(fake: FakeZalo, database: Database, *, webhook: bool) -> ZaloChannel:
    return ZaloChannel(
        ZaloClient(fake.url, fake.token),
        database,
        default_locale="vi",
        public_url="http://127.0.0.1:8080",
        rate_limit=1000,
        webhook_secret=SECRET if webhook else None,
        poll_seconds=1,
        pace=ZaloPace(1000, per_chat_seconds=0),
        run_dispatcher=False,
    )


@pytest.fixture
async def webhook(fake: FakeZalo, database: Database) -> AsyncIterator[tuple[ZaloChannel, httpx.AsyncClient]]:
    await office(database)
    channel = _channel(fake, database, webhook=True)
    await channel.start()
    transport = httpx.ASGITransport(app=Starlette(routes=channel.routes()))
    async with httpx.AsyncClient(transport=transport, base_url="http://zalo") as http:
        yield channel, http
    await channel.stop()


@pytest.fixture
async def polling(fake: FakeZalo, database: Database) -> AsyncIterator[ZaloChannel]:
    await office(database)
    channel = _channel(fake, database, webhook=False)
    await channel.start()
    yield channel
    await channel.stop()


def _hold_to_the_rules(fake: FakeZalo, caplog: pytest.LogCaptureFixture, totals: Counter[str]) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    totals["errors logged"] += len(errors)
    assert not errors, [r.getMessage() for r in errors]
    sends = [c for c in fake.calls if c.method in ("sendMessage", "sendPhoto")]
    refused = [c for c in sends if c.status != 200]
    totals["sends refused by Zalo"] += len(refused)
    assert not refused, [(c.method, c.status, len(str(c.params.get("text", "")))) for c in refused]
    longest = max((len(str(c.params.get("text", ""))) for c in sends), default=0)
    totals["longest text sent"] = max(totals["longest text sent"], longest)
    assert longest <= MAX_TEXT
    totals["messages sent"] += len(sends)
    for record in caplog.records:
        if record.name == "bot.zalo" and record.getMessage().startswith("zalo message "):
            outcome = str(record.args[2]) if isinstance(record.args, tuple) else "?"
            totals["outcome: " + outcome.split(" with ")[0].split(" (")[0]] += 1
    fake.calls.clear()
    caplog.clear()


@_settings(EXAMPLES)
@given(body=bodies, raw=not_json)
async def test_fuzz_the_webhook(
    webhook: tuple[ZaloChannel, httpx.AsyncClient],
    fake: FakeZalo,
    database: Database,
    caplog: pytest.LogCaptureFixture,
    body: Any,
    raw: bytes | None,
) -> None:
    channel, http = webhook
    totals = TOTALS.setdefault(f"webhook ({database.dialect})", Counter())
    readable = raw is None and parse_update(body) is not None
    expected = channel.handled + (1 if readable else 0)
    content = raw if raw is not None else json.dumps(body).encode()
    with caplog.at_level(logging.INFO):
        answer = await http.post(WEBHOOK_PATH, content=content, headers={SECRET_HEADER: SECRET})
        totals[f"HTTP {answer.status_code}"] += 1
        assert answer.status_code in (200, 400), answer.status_code
        await channel.wait_handled(expected, seconds=30)
    totals["bodies"] += 1
    totals["handled"] += 1 if readable else 0
    _hold_to_the_rules(fake, caplog, totals)


@_settings(max(1, EXAMPLES // 3))
@given(update=updates().filter(lambda body: isinstance(body, dict)))
async def test_fuzz_long_polling(
    polling: ZaloChannel,
    fake: FakeZalo,
    database: Database,
    caplog: pytest.LogCaptureFixture,
    update: dict[str, Any],
) -> None:
    totals = TOTALS.setdefault(f"polling ({database.dialect})", Counter())
    # getUpdates answers with the envelope itself: an update handed out is its `result`.
    result = update["result"] if "result" in update and "event_name" not in update else update
    readable = isinstance(result, dict) and bool(result) and parse_update(result) is not None
    sentinel = fake.update(STRANGERS[0], "xin chào")
    expected = polling.handled + (1 if readable else 0) + 1
    with caplog.at_level(logging.INFO):
        await fake.deliver(update)
        await fake.deliver(sentinel)  # the poll loop takes one update at a time: this one comes after
        await polling.wait_handled(expected, seconds=30)
    totals["bodies"] += 1
    totals["handled"] += 1 if readable else 0
    _hold_to_the_rules(fake, caplog, totals)


def test_zz_totals(capsys: pytest.CaptureFixture[str]) -> None:
    """The figures of the run (only meaningful after the fuzz tests above ran)."""
    with capsys.disabled():
        for where, totals in sorted(TOTALS.items()):
            print(f"\nzalo fuzz totals, {where}:")
            for key, value in sorted(totals.items()):
                print(f"  {key}: {value}")
    for totals in TOTALS.values():
        assert totals["errors logged"] == 0 and totals["sends refused by Zalo"] == 0
