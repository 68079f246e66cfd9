"""Property-based fuzzing of Zalo group messages with ZALO_GROUPS on, through the webhook of a running
channel against the fake Zalo: mentions of the bot with hostile, NFD and huge texts, group keywords, wrong
codes and a head's real one, from members, the head and strangers, in two groups.

For every message: the webhook answers 200, nothing is logged at ERROR, no send is over 2 000 characters,
nothing sent to a group names a person, and a group is only ever linked by the head who asked for the code.
FUZZ_EXAMPLES sets the examples (a third of them here, as for the polling fuzz).
"""

from __future__ import annotations

import itertools
import logging
import os
import unicodedata
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from starlette.applications import Starlette

from bot.zalo_channel import SECRET_HEADER, WEBHOOK_PATH, ZaloChannel
from compliance.office import zalo_groups
from compliance.office.officials import actor_of
from compliance.office.units import get_unit_by_code
from handlers.zalo.client import ZaloClient
from handlers.zalo.delivery import ZaloPace
from handlers.zalo.render import MAX_TEXT
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Official
from storage.models_zalo import ZaloGroup
from tests.fakes.zalo import BOT_NAME, FakeZalo
from tests.test_zalo_dialogs import HOA, LAN, office

EXAMPLES = max(1, int(os.environ.get("FUZZ_EXAMPLES", "300")) // 3)
SECRET = "fuzzing-the-zalo-groups"
GROUPS = ["9e8d7c6b5a4f3e2d", "9e8d7c6b5a4f3e2e"]
STRANGER = "7a7a7a7a00000009"
CODE = "{code}"  # replaced by the head's real code
NAMES = ("Nguyễn Thị Lan", "Lê Thị Hoa", "Phạm Minh Châu", "Trần Văn Bình", "Đỗ Quang Huy")
_unique = itertools.count(1)

KEYWORDS = ["huy lien ket", "HỦY LIÊN KẾT", "liên kết nhóm", "LIEN KET NHOM van-phong", CODE, CODE.upper()]
KEYWORDS += ["CFHJ-KMNP", "cfhj kmnp", "HK7M-4QXT", "menu", "bao cao", "ky", "1", "đồng ý", "Lê Thị Hoa"]
ODDITIES = ["\u202e", "\u200b", "\x00", "\x1b[31m", "\r\n", "<b>", "&amp;", "<script>x</script>", "{0}{unit}"]
words = st.one_of(
    st.sampled_from(KEYWORDS),
    st.sampled_from(KEYWORDS).map(lambda w: unicodedata.normalize("NFD", w)),
    st.sampled_from(ODDITIES),
    st.text(max_size=12),
)
texts = st.one_of(
    st.lists(words, max_size=6).map(" ".join),
    st.builds(lambda piece, n: (piece * n)[:9_000], st.text(min_size=1, max_size=20), st.integers(50, 9_000)),
)


def _settings() -> settings:
    return settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def running(
    fake: FakeZalo, database: Database
) -> AsyncIterator[tuple[ZaloChannel, httpx.AsyncClient, str, int]]:
    """The channel with groups on; Hoa (head of Văn phòng) holds a live code."""
    await office(database)
    async with database.unit_of_work() as session:
        hoa = await session.scalar(select(Official).where(Official.full_name == "Lê Thị Hoa"))
        vp = await get_unit_by_code(session, "van-phong")
        assert hoa is not None and vp is not None
        code = await zalo_groups.issue_code(session, actor=actor_of(hoa), unit=vp, now=utcnow())
        assert code is not None
        hoa_id = hoa.id
    channel = ZaloChannel(
        ZaloClient(fake.url, fake.token),
        database,
        default_locale="vi",
        public_url="http://127.0.0.1:8080",
        rate_limit=1000,
        webhook_secret=SECRET,
        pace=ZaloPace(1000, per_chat_seconds=0),
        run_dispatcher=False,
        groups=True,
    )
    await channel.start()
    transport = httpx.ASGITransport(app=Starlette(routes=channel.routes()))
    async with httpx.AsyncClient(transport=transport, base_url="http://zalo") as http:
        yield channel, http, code, hoa_id
    await channel.stop()


@_settings()
@given(
    sender=st.sampled_from([HOA, HOA, LAN, STRANGER]),
    group=st.sampled_from(GROUPS),
    text=texts,
    mention=st.booleans(),
    nfd=st.booleans(),
)
async def test_fuzz_group_messages(
    running: tuple[ZaloChannel, httpx.AsyncClient, str, int],
    fake: FakeZalo,
    database: Database,
    caplog: pytest.LogCaptureFixture,
    sender: str,
    group: str,
    text: str,
    mention: bool,
    nfd: bool,
) -> None:
    channel, http, code, hoa_id = running
    shown = text.replace(CODE, code).replace(CODE.upper(), code)
    shown = f"@{BOT_NAME} {shown}" if mention else shown
    update: dict[str, Any] = fake.update(
        sender,
        unicodedata.normalize("NFD", shown) if nfd else shown,
        chat_id=group,
        chat_type="GROUP",
        message_id=f"g{next(_unique):019x}",
    )
    expected = channel.handled + 1
    with caplog.at_level(logging.INFO):
        answer = await http.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
        assert answer.status_code == 200
        await channel.wait_handled(expected, seconds=30)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors
    caplog.clear()
    sends = [c for c in fake.calls if c.method in ("sendMessage", "sendPhoto")]
    assert all(c.status == 200 for c in sends)
    assert all(len(str(c.params.get("text", ""))) <= MAX_TEXT for c in sends)
    fake.calls.clear()
    for chat in GROUPS:
        for said in fake.texts(chat):
            assert not any(name in said for name in NAMES), said
    async with database.unit_of_work() as session:
        linked_by = set((await session.scalars(select(ZaloGroup.linked_by_id))).all())
    assert linked_by <= {hoa_id}
