"""How a broadcast and its reminder look to a recipient; the composer's preview uses the same code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.i18n import _, fmt_datetime
from handlers.messages import Attachment, AttachmentKind, Choice, OutMessage, esc, row

EXCERPT = 120


def _ack(broadcast_id: int) -> tuple[tuple[Choice, ...], ...]:
    return (row(Choice(_("✅ Received"), f"ack:{broadcast_id}")),)


def acked(broadcast_id: int, acked_at: datetime) -> OutMessage:
    """The button of a copy once its reader confirmed it: it still answers a press (with the time)."""
    label = _("✔ Received {time}").format(time=fmt_datetime(acked_at))
    return OutMessage(choices=(row(Choice(label, f"ack:{broadcast_id}")),))


def broadcast_text(*, sender: str, text: str) -> str:
    return _("📢 <b>Plan update from {sender}</b>").format(sender=esc(sender)) + "\n\n" + esc(text)


def _attachment(content: dict[str, Any]) -> Attachment | None:
    kind, file_ref = content["attachment_kind"], content["attachment_file_id"]
    if file_ref is None or kind not in (AttachmentKind.DOCUMENT, AttachmentKind.PHOTO):
        return None
    data = content.get("attachment_data")
    if data is not None:
        # Uploaded on the web: the bytes travel with the copy, under the name the sender gave the file.
        return Attachment(AttachmentKind(kind), file_name=content.get("attachment_name") or "", data=data)
    if file_ref.startswith("web:"):
        return None  # a web upload whose bytes were not loaded: never hand "web:…" to a channel as its id
    # The sender's file was uploaded once (composed in the chat, or the first Telegram copy of a web
    # upload): every copy refers to it, under its name (a Zalo link says which document it is).
    return Attachment(AttachmentKind(kind), file_name=content.get("attachment_name") or "", file_ref=file_ref)


def broadcast_copy(payload: dict[str, Any]) -> OutMessage:
    """The outbox's "broadcast": one recipient's (or one group's) copy."""
    content = payload["content"]
    # A group's copy asks nobody in particular: acknowledging is personal, in each person's own copy.
    ask = content["requires_ack"] and not payload.get("g")
    return OutMessage(
        broadcast_text(sender=content["sender"], text=content["text"]),
        choices=_ack(int(payload["b"])) if ask else (),
        attachment=_attachment(content),
    )


def broadcast_reminder(payload: dict[str, Any]) -> OutMessage:
    """The outbox's "broadcast_remind": asks someone who has not confirmed a copy yet."""
    content = payload["content"]
    excerpt = content["text"] if len(content["text"]) <= EXCERPT else content["text"][:EXCERPT] + "…"
    text = _(
        "🔔 You have not yet confirmed that you received this plan update from {sender}:\n«{excerpt}»\n"
        "Please read it and press “Received”."
    ).format(sender=esc(content["sender"]), excerpt=esc(excerpt))
    return OutMessage(text, choices=_ack(int(payload["b"])))
