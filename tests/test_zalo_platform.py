"""Zalo's platform pieces: settings, the HTTP client against the fake Zalo server, updates parsing, and
rendering neutral messages as Zalo text."""

from __future__ import annotations

import io
import logging
import unicodedata
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from bot import cli
from bot.logs import setup_logging
from bot.settings import SettingsError, load_settings
from handlers.i18n import use_locale
from handlers.messages import Attachment, AttachmentKind, Choice, OutMessage, row
from handlers.zalo.client import (
    ZaloBadRequest,
    ZaloBlocked,
    ZaloClient,
    ZaloError,
    ZaloNetworkError,
    ZaloRateLimited,
    ZaloUnauthorized,
)
from handlers.zalo.inbound import IMAGE, TEXT, UNSUPPORTED
from handlers.zalo.render import ZaloPhoto, ZaloText, numbered_choices, render, split_text
from handlers.zalo.updates import parse_update
from tests.fakes.zalo import FakeZalo

USER = "8a1b2c3d4e5f6a7b"


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(fake: FakeZalo) -> AsyncIterator[ZaloClient]:
    async with ZaloClient(fake.url, fake.token) as zalo:
        yield zalo


# ---- settings -------------------------------------------------------------------------------------------
ZALO_TOKEN = "1234567890123456789:AbCdEfGhIjKlMnOpQrStUvWxYz"


def test_zalo_settings_are_validated() -> None:
    settings = load_settings(zalo_bot_token=ZALO_TOKEN, _env_file=None)
    assert settings.zalo_token == ZALO_TOKEN and not settings.zalo_webhook
    assert settings.zalo_rate_limit == 5 and settings.zalo_api_root == "https://bot-api.zaloplatforms.com"
    assert ZALO_TOKEN in settings.secrets() and ZALO_TOKEN not in repr(settings)
    for bad in ("has a space", "with/slash", "short"):
        with pytest.raises(SettingsError, match="ZALO_BOT_TOKEN"):
            load_settings(zalo_bot_token=bad, _env_file=None)
    with pytest.raises(SettingsError, match="ZALO_WEBHOOK_SECRET"):
        load_settings(zalo_bot_token=ZALO_TOKEN, public_url="https://camket.gov.vn", _env_file=None)
    with pytest.raises(SettingsError, match="ZALO_WEBHOOK_SECRET"):
        load_settings(zalo_webhook_secret="short", _env_file=None)
    webhook = load_settings(
        zalo_bot_token=ZALO_TOKEN,
        public_url="https://camket.gov.vn",
        zalo_webhook_secret="a-secret-of-zalo",
        _env_file=None,
    )
    assert webhook.zalo_webhook and "a-secret-of-zalo" in webhook.secrets()


def test_run_without_any_token_names_both(capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(bot_token=None, zalo_bot_token=None, _env_file=None)
    assert cli.run(settings) == 2
    err = capsys.readouterr().err
    assert "BOT_TOKEN" in err and "ZALO_BOT_TOKEN" in err and "@BotFather" in err


# ---- the client against the fake server ---------------------------------------------------------------
async def test_envelope_and_methods(fake: FakeZalo, client: ZaloClient) -> None:
    me = await client.get_me()
    assert me["account_name"] == "bot.camket"
    sent = await client.send_message(USER, "Xin chào")
    assert sent["message_id"] and fake.texts(USER) == ["Xin chào"]
    assert await client.send_chat_action(USER) is True
    await client.set_webhook("https://camket.gov.vn/zalo/webhook", "a-secret-of-zalo")
    assert (await client.get_webhook_info())["url"] == "https://camket.gov.vn/zalo/webhook"
    with pytest.raises(ZaloError) as refused:
        await client.get_updates(wait_seconds=1)  # refused while a webhook is set
    assert refused.value.error_code == 409
    await client.delete_webhook()
    assert (await client.get_webhook_info())["url"] == ""


async def test_get_updates_returns_one_update_or_none_on_408(fake: FakeZalo, client: ZaloClient) -> None:
    assert await client.get_updates(wait_seconds=1) is None  # HTTP 408: nothing came
    first = await fake.inject(USER, "một")
    await fake.inject(USER, "hai")
    got = await client.get_updates(wait_seconds=1)
    assert got == first
    fake.repeat_next()
    again = await client.get_updates(wait_seconds=1)
    assert again is not None and again == await client.get_updates(wait_seconds=1)  # Zalo repeated it


async def test_errors_by_kind(fake: FakeZalo, client: ZaloClient) -> None:
    with pytest.raises(ZaloBadRequest) as too_long:
        await client.send_message(USER, "x" * 2001)
    assert too_long.value.http_status == 400
    fake.fail("sendMessage", 429, retry_after=5)
    with pytest.raises(ZaloRateLimited) as quota:
        await client.send_message(USER, "hi")
    assert quota.value.retry_after == 5 and quota.value.retryable
    fake.blocked.add(USER)
    with pytest.raises(ZaloBlocked):
        await client.send_message(USER, "hi")
    fake.fail("sendMessage", 502, chat_id="other")
    with pytest.raises(ZaloError) as trouble:
        await client.send_message("other", "hi")
    assert trouble.value.retryable
    fake.fail("sendMessage", 200, hang=True)
    with pytest.raises(ZaloNetworkError):
        await client.call("sendMessage", {"chat_id": "x", "text": "hi"}, read_seconds=0.3)


async def test_the_token_never_reaches_an_error_a_repr_or_a_log(fake: FakeZalo) -> None:
    stream = io.StringIO()
    setup_logging("DEBUG", stream=stream)  # no secret registered: the client itself must not leak it
    logging.getLogger("handlers.zalo").debug("start")
    async with ZaloClient(fake.url, "99999:WrongTokenNeverToBeSeen") as wrong:
        with pytest.raises(ZaloUnauthorized) as refused:
            await wrong.get_me()
        assert "WrongTokenNeverToBeSeen" not in str(refused.value) + repr(refused.value) + repr(wrong)
    async with ZaloClient("http://127.0.0.1:9", fake.token) as unreachable:
        with pytest.raises(ZaloNetworkError) as network:
            await unreachable.get_me()
        assert fake.token not in str(network.value) and network.value.__suppress_context__
    assert "start" in stream.getvalue()
    assert "WrongTokenNeverToBeSeen" not in stream.getvalue() and fake.token not in stream.getvalue()


async def test_the_fake_takes_get_and_form_bodies_and_fetches_photos_twice(fake: FakeZalo) -> None:
    base = f"{fake.url}/bot{fake.token}"
    async with httpx.AsyncClient() as http:
        by_get = (await http.get(f"{base}/sendMessage", params={"chat_id": USER, "text": "một"})).json()
        by_form = (await http.post(f"{base}/sendMessage", data={"chat_id": USER, "text": "hai"})).json()
        photo = (
            await http.post(f"{base}/sendPhoto", json={"chat_id": USER, "photo": f"{base}/getMe"})
        ).json()
    assert by_get["ok"] and by_form["ok"] and photo["ok"]
    assert fake.texts(USER) == ["một", "hai"]
    assert fake.photo_fetches[f"{base}/getMe"] == [200, 200]


# ---- updates --------------------------------------------------------------------------------------------
def test_updates_bare_or_wrapped_nfc_and_milliseconds(fake: FakeZalo) -> None:
    nfd = unicodedata.normalize("NFD", "Đồng ý")
    update = fake.update(USER, nfd, message_id="abc123")
    update["message"]["date"] = 1_767_225_600_000
    for body in (update, {"ok": True, "result": update}):
        incoming = parse_update(body)
        assert incoming is not None
        assert incoming.text == "Đồng ý" and unicodedata.is_normalized("NFC", incoming.text)
        assert (incoming.event, incoming.message_id, incoming.user_id, incoming.chat_id) == (
            TEXT,
            "abc123",
            USER,
            USER,
        )
        assert incoming.sent_at == datetime(2026, 1, 1, tzinfo=UTC) and incoming.private


def test_other_events_and_malformed_updates(fake: FakeZalo, caplog: pytest.LogCaptureFixture) -> None:
    image = parse_update(fake.update(USER, None, event="message.image.received"))
    assert image is not None and image.event == IMAGE and image.text is None
    odd = parse_update(fake.update(USER, "hi", event="message.location.received"))
    assert odd is not None and odd.event == UNSUPPORTED
    broken = fake.update(USER, "bí mật riêng")
    del broken["message"]["from"]
    with caplog.at_level(logging.WARNING):
        assert parse_update(broken) is None
        assert parse_update({"ok": True, "result": "nonsense"}) is None
    assert caplog.records and "bí mật" not in caplog.text


# ---- render ---------------------------------------------------------------------------------------------
def test_long_texts_split_at_paragraphs_under_2000() -> None:
    paragraphs = [f"Đoạn {n}: " + "chữ " * 120 for n in range(10)]
    pieces = split_text("\n\n".join(paragraphs))
    assert len(pieces) > 1 and all(len(p) <= 2000 for p in pieces)
    assert all(p.startswith("Đoạn") for p in pieces)  # each piece starts where a paragraph did
    assert all(len(p) <= 2000 for p in split_text("x" * 4500 + "\n" + "y " * 3000))


def test_markup_and_numbered_choices() -> None:
    message = OutMessage(
        '<b>Chọn</b> &amp; <a href="https://camket.gov.vn/p">trang</a>',
        choices=(
            row(Choice("Một", "a:1"), Choice("Hai", "a:2")),
            row(Choice("Ba", "a:3"), Choice("Mở", url="https://camket.gov.vn/x")),
            row(Choice("Mini App", url="https://t.me/app", in_app=True)),
        ),
    )
    with use_locale("en"):
        [text] = render(message)
    assert isinstance(text, ZaloText)
    assert text.text.splitlines() == [
        "Chọn & trang (https://camket.gov.vn/p)",
        "",
        "1. Một",
        "2. Hai",
        "3. Ba",
        "Mở: https://camket.gov.vn/x",
        "Reply 1, 2 or 3",
    ]
    assert [c.action for c in numbered_choices(message)] == ["a:1", "a:2", "a:3"]


def test_attachments() -> None:
    chart = Attachment(AttachmentKind.PHOTO, "chart.png", url="https://camket.gov.vn/img/1.png")
    sends = render(OutMessage("Biểu đồ", attachment=chart))
    assert sends == [ZaloText("Biểu đồ"), ZaloPhoto("https://camket.gov.vn/img/1.png")]
    document = Attachment(AttachmentKind.DOCUMENT, "kehoach.pdf", data=b"%PDF")
    with use_locale("en"):
        [named] = render(OutMessage("Kế hoạch", attachment=document))
        [linked] = render(
            OutMessage("Kế hoạch", attachment=document), attachment_url=lambda a: "https://x/d/1"
        )
    assert isinstance(named, ZaloText) and "kehoach.pdf" in named.text and "https://" not in named.text
    assert isinstance(linked, ZaloText) and "https://x/d/1" in linked.text
    photo_bytes = Attachment(AttachmentKind.PHOTO, "chart.png", data=b"\x89PNG")
    assert render(OutMessage("", attachment=photo_bytes), attachment_url=lambda a: "https://x/i/2") == [
        ZaloPhoto("https://x/i/2")
    ]
    assert render(OutMessage("")) == []
