"""A message the bot sends on its own: text with buttons, or a file (by Telegram file_id) with a caption;
or a person's command menu, which goes through the outbox like a message (many chats at Telegram's pace)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode


@dataclass(frozen=True)
class ChatMenu:
    """setMyCommands for one chat, per language (None: Telegram's fallback); no commands deletes that
    language's menu of the chat, so the default scope's applies again."""

    by_language: tuple[tuple[str | None, tuple[BotCommand, ...]], ...]

    async def apply(self, bot: Bot, chat_id: int) -> None:
        scope = BotCommandScopeChat(chat_id)
        for language_code, commands in self.by_language:
            if commands:
                await bot.set_my_commands(commands, scope=scope, language_code=language_code)
            else:
                await bot.delete_my_commands(scope=scope, language_code=language_code)


@dataclass(frozen=True)
class Outgoing:
    text: str
    markup: InlineKeyboardMarkup | None = None
    # A file the sender uploaded once: every copy refers to it by file_id, nothing is uploaded again.
    document: str | None = None
    photo: str | None = None
    menu: ChatMenu | None = None


async def send_outgoing(bot: Bot, chat_id: int, outgoing: Outgoing) -> Message | None:
    """The message sent, or None for a menu (nothing appears in the chat)."""
    if outgoing.menu is not None:
        await outgoing.menu.apply(bot, chat_id)
        return None
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
