"""Update factories: what a Telegram client would send when a person types, taps or shares; and the
Telegram accounts of seeded officials."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.accounts import ChannelUser, find_official, link
from storage.models import Channel, ChannelAccount, Official
from tests.consents import agree
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


async def link_telegram(session: AsyncSession, official: Official, user_id: int) -> Official:
    """Give a seeded official the Telegram account `user_id` (as joining by phone would), with their
    consent to the privacy notice (as answering it would); returns them."""
    await link(session, official, ChannelUser.telegram(user_id))
    await agree(session, official.id)
    return official


async def by_telegram(session: AsyncSession, user_id: int) -> Official | None:
    """The official behind a Telegram account, as the gate finds them."""
    return await find_official(session, ChannelUser.telegram(user_id))


async def telegram_official(session: AsyncSession, user_id: int, **fields: Any) -> Official:
    """A new official with a Telegram account, as a row with `telegram_user_id` was before accounts."""
    official = Official(**fields)
    session.add(official)
    await session.flush()
    return await link_telegram(session, official, user_id)


async def telegram_id_of(session: AsyncSession, official_id: int) -> int | None:
    """The Telegram id of an official, if they have a Telegram account."""
    external_id = await session.scalar(
        select(ChannelAccount.external_id).where(
            ChannelAccount.official_id == official_id, ChannelAccount.channel == Channel.TELEGRAM
        )
    )
    return int(external_id) if external_id is not None else None
