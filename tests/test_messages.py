"""The neutral message model (handlers.messages): escaping once, the plain text of text-only channels, the
attachment rule; and every outbox kind built into it safely, in both languages, whatever people typed."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest

from handlers.i18n import use_locale
from handlers.messages import (
    ALLOWED_TAGS,
    ECHO_LIMIT,
    Attachment,
    AttachmentKind,
    OutMessage,
    echo,
    esc,
    markup_tags,
    plain_text,
)
from handlers.views.outbox import KINDS, RENDERERS, build
from storage.models import Role

HOSTILE = '<b>Lê</b> & </a> <script>alert("x")</script>'
# Telegram refuses callback data longer than this, in bytes.
CALLBACK_LIMIT = 64
BIG_ID = 2**63 - 1
SITE = "https://camket.example.vn"


def test_esc_escapes_markup_but_leaves_quotes() -> None:
    assert esc("<b>A & B</b>") == "&lt;b&gt;A &amp; B&lt;/b&gt;"
    assert esc('say "hi"') == 'say "hi"'
    assert esc(42) == "42"


def test_echo_cuts_what_was_typed_before_escaping_it() -> None:
    short = "x" * ECHO_LIMIT
    assert echo(short) == short
    long = "&" * (ECHO_LIMIT + 1000)
    shown = echo(long)
    # Cut first, then escaped: no half entity, and what the person reads is ECHO_LIMIT characters.
    assert unescape(shown) == "&" * (ECHO_LIMIT - 1) + "…"
    assert shown == "&amp;" * (ECHO_LIMIT - 1) + "…"
    assert echo("<i>") == "&lt;i&gt;"


def test_plain_text_drops_tags_and_writes_links_out() -> None:
    assert plain_text("<b>Bold</b> and <i>italic</i> &amp; &lt;b&gt;") == "Bold and italic & <b>"
    assert plain_text('See <a href="https://x.vn/a?b=1&amp;c=2">the rules</a>.') == (
        "See the rules (https://x.vn/a?b=1&c=2)."
    )
    # A link whose label is its address is written once.
    assert plain_text('<a href="https://x.vn/p">https://x.vn/p</a>') == "https://x.vn/p"
    assert plain_text('<a href="https://x.vn/?a=1&amp;b=2">https://x.vn/?a=1&amp;b=2</a>') == (
        "https://x.vn/?a=1&b=2"
    )
    assert plain_text("line one\nline two") == "line one\nline two"
    # A user string escaped once comes back exactly as typed.
    assert plain_text(f"<b>From</b> {esc(HOSTILE)}") == f"From {HOSTILE}"


def test_markup_tags_names_the_tags_a_text_uses() -> None:
    assert markup_tags('<b>a</b> <i>b</i> <a href="https://x.vn">c</a>') == {"b", "i", "a"}
    assert markup_tags(esc(HOSTILE)) == set()
    assert markup_tags(HOSTILE) == {"b", "a", "script"}


def test_an_attachment_has_exactly_one_source() -> None:
    assert Attachment(AttachmentKind.DOCUMENT, "a.pdf", data=b"%PDF").data == b"%PDF"
    assert Attachment(AttachmentKind.PHOTO, url="https://x.vn/p.png").url == "https://x.vn/p.png"
    assert Attachment(AttachmentKind.DOCUMENT, file_ref="BQACAgIAAx").file_ref == "BQACAgIAAx"
    with pytest.raises(ValueError, match="exactly one"):
        Attachment(AttachmentKind.DOCUMENT, "a.pdf")
    with pytest.raises(ValueError, match="exactly one"):
        Attachment(AttachmentKind.DOCUMENT, "a.pdf", data=b"x", file_ref="BQACAgIAAx")
    with pytest.raises(ValueError, match="exactly one"):
        Attachment(AttachmentKind.PHOTO, data=b"", url="https://x.vn/p.png")


def _weekly(unit: str | None) -> dict[str, Any]:
    return {
        "unit": unit, "start": "2026-11-23", "end": "2026-11-29", "on_list": 12, "joined": 10,
        "signed": 9, "signed_rate": 0.75, "checks_done": 8, "check_slots": 10, "on_time": 6, "late": 2,
        "missed": 2, "quiz_rate": 0.5, "quiz_average": None, "read_rate": 1.0, "lapses": 3,
    }  # fmt: skip


def _broadcast(kind: str | None, *, group: bool = False) -> dict[str, Any]:
    content = {
        "sender": HOSTILE, "text": HOSTILE, "requires_ack": True, "attachment_kind": kind,
        "attachment_file_id": "BQACAgIAAxkBAAIBY2" if kind else None,
    }  # fmt: skip
    return {"b": BIG_ID, "content": content, **({"g": 1} if group else {})}


WEEK = {"week": "2026-11-30"}
# Each kind with a hostile string in every field a person or an admin typed; several shapes per kind.
PAYLOADS: dict[str, list[dict[str, Any]]] = {
    "join_request": [
        {"request_id": BIG_ID, "full_name": HOSTILE, "unit_name": HOSTILE, "telegram_name": HOSTILE},
        {"request_id": BIG_ID, "full_name": HOSTILE, "unit_name": HOSTILE, "display_name": HOSTILE},
    ],
    "join_approved": [{"full_name": HOSTILE, "unit_name": HOSTILE}],
    "join_rejected": [{"unit_name": HOSTILE, "locale": "vi"}],
    "pledge_resign": [
        {"version_id": 7, "title_vi": HOSTILE, "title_en": HOSTILE},
        {"version_id": 7, "title_vi": HOSTILE, "title_en": HOSTILE, "first": True},
    ],
    "reminder": [
        {"day": "2026-11-30", "kind": "item", "number": 3, "vi": HOSTILE, "en": HOSTILE},
        {"day": "2026-11-30", "kind": "sign", "title_vi": HOSTILE, "title_en": HOSTILE},
        {
            "day": "2026-11-30",
            "kind": "sign",
            "title_vi": HOSTILE,
            "title_en": HOSTILE,
            "deadline": "2027-01-06",
        },
        {
            "day": "2027-01-04",
            "kind": "sign",
            "title_vi": HOSTILE,
            "title_en": HOSTILE,
            "deadline": "2027-01-31",
            "year": 2027,
        },
    ],
    "sign_overdue": [
        {"full_name": HOSTILE, "unit_name": HOSTILE, "joined": "2026-12-29", "deadline": "2027-01-06"}
    ],
    "selfcheck_open": [{**WEEK, "deadline": "2026-12-04T17:00:00+07:00"}],
    "selfcheck_nudge": [WEEK],
    "quiz": [WEEK],
    "weekly_report": [_weekly(HOSTILE), _weekly(None)],
    "nudge": [{"lapse": lapse} for lapse in ("overdue", "not_signed", "missed_twice", "never_read")],
    "broadcast": [_broadcast(None), _broadcast("document"), _broadcast("photo", group=True)],
    "broadcast_remind": [_broadcast(None)],
    "group_weekly": [{k: v for k, v in _weekly(HOSTILE).items() if k not in ("quiz_average", "lapses")}],
    "command_menu": [{"role": role.value} for role in Role],
    "rating_flagged": [
        {
            "rating_id": BIG_ID,
            "unit_name": HOSTILE,
            "desk": HOSTILE,
            "at": "2026-11-30T03:15:00+00:00",
            "overall": 1,
            "attitude": 2,
            "trips": 3,
            "papers_posted": None,
            "progress_lookup": False,
            "asked_beyond_rules": True,
            "comment": HOSTILE,
            "dossier_number": HOSTILE,
            "official_name": HOSTILE,
            "contact": HOSTILE,
            # A row planned before the path: it carries the whole address.
            "url": 'https://camket.example.vn/feedback/followup/9"',
        },
        {
            "rating_id": 1,
            "unit_name": HOSTILE,
            "desk": None,
            "at": "2026-11-30T03:15:00+00:00",
            "overall": 4,
            "attitude": 4,
            "trips": 1,
            "papers_posted": True,
            "progress_lookup": True,
            "asked_beyond_rules": True,
            "comment": None,
            "dossier_number": None,
            "path": "/dashboard/ratings/1",
        },
    ],
}
# Kinds that show nothing anyone typed.
NO_USER_TEXT = {"selfcheck_open", "selfcheck_nudge", "quiz", "nudge", "command_menu"}


def test_every_kind_has_hostile_payloads() -> None:
    assert set(PAYLOADS) == KINDS


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_outbox_kind_builds_a_safe_message(kind: str, locale: str) -> None:
    for payload in PAYLOADS[kind]:
        with use_locale(locale):
            message = build(kind, payload, public_url=SITE)
        assert isinstance(message, OutMessage)
        assert markup_tags(message.text) <= ALLOWED_TAGS, (kind, message.text)
        if kind not in NO_USER_TEXT and not (kind == "weekly_report" and payload["unit"] is None):
            assert esc(HOSTILE) in message.text, (kind, payload)
            assert HOSTILE in plain_text(message.text)
        if kind == "command_menu":
            assert message.menu is not None and message.text == ""
        else:
            assert message.menu is None and message.text
        for choice in (choice for choices in message.choices for choice in choices):
            assert choice.label and choice.url is None
            assert 0 < len(choice.action.encode()) <= CALLBACK_LIMIT, (kind, choice.action)


def test_a_flagged_ratings_link_is_the_sites_address_and_the_planned_path() -> None:
    old, new = PAYLOADS["rating_flagged"]
    with use_locale("vi"):
        planned = build("rating_flagged", new, public_url=SITE + "/").text
        earlier = build("rating_flagged", old, public_url="https://elsewhere.example").text
    assert f'<a href="{SITE}/dashboard/ratings/1">' in planned
    # A row queued before the path kept its own address (its quote escaped inside the attribute).
    assert f'<a href="{SITE}/feedback/followup/9&quot;">' in earlier and "elsewhere" not in earlier


def test_a_broadcast_copy_refers_to_the_file_uploaded_once() -> None:
    with use_locale("vi"):
        document = RENDERERS["broadcast"](_broadcast("document"))
        photo = RENDERERS["broadcast"](_broadcast("photo", group=True))
        text_only = RENDERERS["broadcast"](_broadcast(None))
    assert document.attachment == Attachment(AttachmentKind.DOCUMENT, file_ref="BQACAgIAAxkBAAIBY2")
    assert [[c.action for c in choices] for choices in document.choices] == [[f"ack:{BIG_ID}"]]
    assert photo.attachment == Attachment(AttachmentKind.PHOTO, file_ref="BQACAgIAAxkBAAIBY2")
    # A group's copy asks nobody in particular to confirm.
    assert photo.choices == ()
    assert text_only.attachment is None and text_only.text == document.text


def test_an_officials_menu_is_removed_and_a_heads_is_set_in_every_language() -> None:
    with use_locale("en"):
        official = RENDERERS["command_menu"]({"role": Role.OFFICIAL.value}).menu
        head = RENDERERS["command_menu"]({"role": Role.HEAD.value}).menu
    assert official is not None and head is not None
    assert official.by_language == ((None, ()), ("vi", ()), ("en", ()))
    assert [code for code, _ in head.by_language] == [None, "vi", "en"]
    names = {code: [name for name, _ in commands] for code, commands in head.by_language}
    assert "pending" in names["vi"] and names[None] == names["vi"] == names["en"]
    descriptions = {code: dict(commands)["pending"] for code, commands in head.by_language}
    # The fallback is in the person's own language.
    assert descriptions[None] == descriptions["en"] != descriptions["vi"]
