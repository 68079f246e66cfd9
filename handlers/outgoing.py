"""A message the bot sends on its own: text with buttons, or a file (by Telegram file_id) with a caption."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode


@dataclass(frozen=True)
class Outgoing:
    text: str
    markup: InlineKeyboardMarkup | None = None
    # A file the sender uploaded once: every copy refers to it by file_id, nothing is uploaded again.
    document: str | None = None
    photo: str | None = None


async def send_outgoing(bot: Bot, chat_id: int, outgoing: Outgoing) -> Message:
    if outgoing.document is not None:
        return await bot.send_document(
            chat_id,
            outgoing.document,
            caption=outgoing.text,
            parse_mode=ParseMode.HTML,
            reply_markup=outgoing.markup,
        )
    if outgoing.photo is not None:
        return await bot.send_photo(
            chat_id,
            outgoing.photo,
            caption=outgoing.text,
            parse_mode=ParseMode.HTML,
            reply_markup=outgoing.markup,
        )
    return await bot.send_message(
        chat_id, outgoing.text, parse_mode=ParseMode.HTML, reply_markup=outgoing.markup
    )
