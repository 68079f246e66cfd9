"""An outbox message's buttons on Zalo: the keyword that does the same ("✅ Received (type DA NHAN)", a join
request's "DUYET 3"), never a numbered answer (no question is open for it); buttons without a keyword left
out, links kept."""

from __future__ import annotations

from handlers.i18n import use_locale
from handlers.messages import Choice, OutMessage, row
from handlers.zalo.outbox_choices import as_keywords
from handlers.zalo.render import ZaloText, render


def _texts(message: OutMessage) -> str:
    with use_locale("en"):
        return "\n".join(s.text for s in render(as_keywords(message)) if isinstance(s, ZaloText))


def test_buttons_become_keywords() -> None:
    copy = OutMessage("📢 <b>Plan</b> &amp; more", choices=(row(Choice("✅ Received", "ack:7")),))
    with use_locale("en"):
        shown = _texts(copy)
    assert shown == "📢 Plan & more\n\n✅ Received (type DA NHAN)" and "Reply" not in shown
    assert "(type TU DANH GIA)" in _texts(
        OutMessage("Open", choices=(row(Choice("Start", "sc:open:2026-12-07")),))
    )
    assert "(type TRAC NGHIEM)" in _texts(
        OutMessage("Quiz", choices=(row(Choice("Go", "qz:start:2026-12-07")),))
    )


def test_a_reminder_and_a_join_request_get_their_keywords() -> None:
    reminder = OutMessage("Item 4", choices=(row(Choice("Read", "rd:2026-12-09")),))
    assert _texts(reminder) == "Item 4\n\nRead (type DA DOC)"
    request = OutMessage(
        "Join request",
        choices=(row(Choice("✅ Approve", "jr:a:3"), Choice("✖ Reject", "jr:r:3")),),
    )
    assert _texts(request) == "Join request\n\n✅ Approve (type DUYET 3)\n✖ Reject (type TU CHOI 3)"


def test_buttons_without_a_keyword_are_left_out_and_links_kept() -> None:
    linked = OutMessage(
        "Pending",
        choices=(
            row(Choice("🔄 Refresh", "jr:l"), Choice("Odd", "jr:a:x")),
            row(Choice("Dashboard", url="https://bot.example.vn/d")),
        ),
    )
    assert _texts(linked) == "Pending\n\nDashboard: https://bot.example.vn/d"
    plain = OutMessage("Nothing to press")
    assert as_keywords(plain) is plain
