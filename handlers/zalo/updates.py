"""Zalo's update, as getUpdates or a webhook call gives it, parsed into one ZaloIncoming.

Published samples disagree on the shape: getUpdates wraps the update in the envelope {ok, result}, and
webhook calls are shown both wrapped and bare; both are accepted. An update that cannot be read is logged
without its content (it is someone's message) and dropped.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import UTC, datetime
from typing import Any

from handlers.zalo.inbound import IMAGE, STICKER, TEXT, UNSUPPORTED, ZaloIncoming

log = logging.getLogger(__name__)
KNOWN_EVENTS = frozenset({TEXT, IMAGE, STICKER, UNSUPPORTED})


def unwrap(body: Any) -> Any:
    """The update inside an envelope {ok, result}, or the body itself when it is bare."""
    if isinstance(body, dict) and "result" in body and "event_name" not in body:
        result = body["result"]
        # getUpdates returns one update; a list of them (as on Telegram) is read as its first.
        if isinstance(result, list):
            return result[0] if result else None
        return result
    return body


def _text(value: Any, limit: int) -> str:
    return unicodedata.normalize("NFC", value)[:limit] if isinstance(value, str) else ""


def _sent_at(value: Any) -> datetime:
    """Zalo's `date` is in milliseconds since the epoch; a missing or odd one is taken as now."""
    try:
        milliseconds = float(value)
        return datetime.fromtimestamp(milliseconds / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)


def _usable_id(value: str) -> bool:
    """Zalo's ids are short hex. A control character in one (a NUL byte: PostgreSQL refuses it in a text
    column, and the message would fail at every try) or an id of any length is not Zalo's."""
    return 0 < len(value) <= 100 and value.isprintable()


def parse_update(body: Any) -> ZaloIncoming | None:
    """One inbound message, or None (logged without content) when the update is not one we can read."""
    update = unwrap(body)
    try:
        return _parse(update)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        keys = sorted(update) if isinstance(update, dict) else type(update).__name__
        log.warning("zalo: an update that could not be read (%s; keys %s)", type(exc).__name__, keys)
        return None


def _parse(update: Any) -> ZaloIncoming | None:
    if not isinstance(update, dict):
        raise TypeError("not an object")
    message = update["message"]
    if not isinstance(message, dict):
        raise TypeError("message is not an object")
    sender = message["from"]
    chat = message.get("chat") or {}
    user_id = str(sender["id"]).strip()
    message_id = str(message["message_id"]).strip()
    if not _usable_id(user_id) or not _usable_id(message_id):
        raise ValueError("no usable ids")
    event = str(update.get("event_name") or "")
    if event not in KNOWN_EVENTS:
        event = UNSUPPORTED
    # In a private chat chat.id equals from.id: an update without a chat is answered to its sender.
    chat_id = str(chat.get("id") or user_id).strip()
    if not _usable_id(chat_id):
        raise ValueError("no usable chat id")
    display_name = sender.get("display_name") or sender.get("name") or ""
    return ZaloIncoming(
        event=event,
        message_id=message_id,
        user_id=user_id,
        chat_id=chat_id,
        display_name=_text(display_name, 200).strip(),
        text=_text(message.get("text"), 10_000) if event == TEXT else None,
        chat_type=str(chat.get("chat_type") or "PRIVATE").upper(),
        sent_at=_sent_at(message.get("date")),
    )
