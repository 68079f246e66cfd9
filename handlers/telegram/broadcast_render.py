"""How a broadcast and its reminder look to a recipient; the composer's preview uses the same code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.i18n import _, fmt_datetime
from handlers.messages import esc
from handlers.telegram.outgoing import Outgoing

EXCERPT = 120


def ack_button(broadcast_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("✅ Received"), callback_data=f"ack:{broadcast_id}")]]
    )


def acked_button(broadcast_id: int, acked_at: datetime) -> InlineKeyboardMarkup:
    label = _("✔ Received {time}").format(time=fmt_datetime(acked_at))
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"ack:{broadcast_id}")]])


def broadcast_text(*, sender: str, text: str) -> str:
    return _("📢 <b>Plan update from {sender}</b>").format(sender=esc(sender)) + "\n\n" + esc(text)


def render_broadcast(payload: dict[str, Any]) -> Outgoing:
    content = payload["content"]
    broadcast_id = int(payload["b"])
    text = broadcast_text(sender=content["sender"], text=content["text"])
    # A group's copy asks nobody in particular: acknowledging is personal, in each person's own copy.
    markup = ack_button(broadcast_id) if content["requires_ack"] and not payload.get("g") else None
    kind = content["attachment_kind"]
    file_id = content["attachment_file_id"]
    return Outgoing(
        text,
        markup,
        document=file_id if kind == "document" else None,
        photo=file_id if kind == "photo" else None,
    )


def render_reminder(payload: dict[str, Any]) -> Outgoing:
    content = payload["content"]
    excerpt = content["text"] if len(content["text"]) <= EXCERPT else content["text"][:EXCERPT] + "…"
    text = _(
        "🔔 You have not yet confirmed that you received this plan update from {sender}:\n«{excerpt}»\n"
        "Please read it and press “Received”."
    ).format(sender=esc(content["sender"]), excerpt=esc(excerpt))
    return Outgoing(text, ack_button(int(payload["b"])))
