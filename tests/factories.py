"""Update factories: what a Telegram client would send when a person types, taps or shares."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from tests.fakes.botapi import BOT_USER

_message_ids = itertools.count(10_000)
_callback_ids = itertools.count(1)


@dataclass(frozen=True)
class FakeUser:
    id: int
    first_name: str
    last_name: str = ""
    language_code: str | None = "vi"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def private_chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


def message(
    user: FakeUser, text: str | None = None, *, chat: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat or user.private_chat(),
        "from": user.as_dict(),
        **extra,
    }
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"message": body}


def contact(user: FakeUser, phone: str, *, contact_user_id: int | None = -1) -> dict[str, Any]:
    """A shared contact; by default the sender's own (as the request_contact button sends it)."""
    card: dict[str, Any] = {"phone_number": phone, "first_name": user.first_name}
    owner = user.id if contact_user_id == -1 else contact_user_id
    if owner is not None:
        card["user_id"] = owner
    return message(user, contact=card)


def document(
    user: FakeUser, file_meta: dict[str, Any], mime_type: str = "application/octet-stream"
) -> dict[str, Any]:
    return message(user, document={**file_meta, "mime_type": mime_type})


def press(user: FakeUser, bot_message: dict[str, Any], data: str) -> dict[str, Any]:
    """Tapping an inline button of a message the bot sent."""
    shown = {k: v for k, v in bot_message.items() if not k.startswith("_")}
    return {
        "callback_query": {
            "id": str(next(_callback_ids)),
            "from": user.as_dict(),
            "chat_instance": f"ci-{shown['chat']['id']}",
            "data": data,
            "message": shown,
        }
    }


def buttons(bot_message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = bot_message.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def group_chat(chat_id: int, title: str, *, kind: str = "supergroup") -> dict[str, Any]:
    return {"id": chat_id, "type": kind, "title": title}


def bot_membership(
    user: FakeUser, chat: dict[str, Any], *, old: str = "left", new: str = "member"
) -> dict[str, Any]:
    """my_chat_member: `user` added the bot to a group (left → member) or removed it (→ left or kicked)."""

    def member(status: str) -> dict[str, Any]:
        body: dict[str, Any] = {"status": status, "user": BOT_USER}
        if status == "kicked":
            body["until_date"] = 0  # banned for ever
        return body

    return {
        "my_chat_member": {
            "chat": chat,
            "from": user.as_dict(),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
    }
