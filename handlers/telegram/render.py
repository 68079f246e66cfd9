"""Neutral messages on Telegram: the markup is Telegram's HTML already, choices become inline keyboards,
attachments documents or photos, menus setMyCommands, and `edit` edits the message a button was on."""

from __future__ import annotations

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    WebAppInfo,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from handlers.i18n import _
from handlers.messages import Attachment, AttachmentKind, CommandMenu, Keyboard, OutMessage

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def link_preview(message: OutMessage) -> LinkPreviewOptions | None:
    return None if message.link_preview else NO_PREVIEW


def inline_keyboard(message: OutMessage) -> InlineKeyboardMarkup | None:
    if not message.choices:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(choice.label, web_app=WebAppInfo(choice.url))
                if choice.url and choice.in_app
                else InlineKeyboardButton(choice.label, url=choice.url)
                if choice.url
                else InlineKeyboardButton(choice.label, callback_data=choice.action)
                for choice in choices
            ]
            for choices in message.choices
        ]
    )


def reply_markup(message: OutMessage) -> ReplyMarkup | None:
    if message.keyboard is Keyboard.ASK_PHONE:
        button = KeyboardButton(_("📱 Share my phone number"), request_contact=True)
        return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
    if message.keyboard is Keyboard.REMOVE:
        return ReplyKeyboardRemove()
    return inline_keyboard(message)


async def apply_menu(bot: Bot, chat_id: int, menu: CommandMenu) -> None:
    scope = BotCommandScopeChat(chat_id)
    for language_code, commands in menu.by_language:
        if commands:
            await bot.set_my_commands(
                [BotCommand(name, description) for name, description in commands],
                scope=scope,
                language_code=language_code,
            )
        else:
            await bot.delete_my_commands(scope=scope, language_code=language_code)


def _file(attachment: Attachment) -> str | bytes:
    # Attachment guarantees exactly one source.
    return attachment.file_ref or attachment.url or attachment.data or b""


async def send(bot: Bot, chat_id: int, message: OutMessage) -> Message | None:
    """Sends a message the bot says on its own (the outbox); None for a menu, which shows nothing."""
    if message.menu is not None:
        await apply_menu(bot, chat_id, message.menu)
        return None
    markup = reply_markup(message)
    attachment = message.attachment
    if attachment is not None and attachment.kind is AttachmentKind.PHOTO:
        return await bot.send_photo(
            chat_id, _file(attachment), caption=message.text or None, parse_mode=ParseMode.HTML,
            reply_markup=markup, filename=attachment.file_name or None,
        )  # fmt: skip
    if attachment is not None:
        return await bot.send_document(
            chat_id, _file(attachment), caption=message.text or None, parse_mode=ParseMode.HTML,
            reply_markup=markup, filename=attachment.file_name or None,
        )  # fmt: skip
    return await bot.send_message(
        chat_id,
        message.text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        link_preview_options=link_preview(message),
    )


async def answer(update: Update, message: OutMessage) -> Message | None:
    """Answers an update in its chat, as a reply (quoted in groups, in the same topic, as PTB does), or by
    editing the pressed button's message when asked and possible."""
    query = update.callback_query
    if message.edit and query is not None and query.message is not None and message.attachment is None:
        edited = await query.edit_message_text(
            message.text, parse_mode=ParseMode.HTML, reply_markup=inline_keyboard(message)
        )
        return edited if isinstance(edited, Message) else None
    incoming = update.effective_message
    if incoming is None:
        return None
    if message.menu is not None:
        await apply_menu(incoming.get_bot(), incoming.chat_id, message.menu)
        return None
    markup = reply_markup(message)
    attachment = message.attachment
    caption = message.text or None
    if attachment is not None and attachment.kind is AttachmentKind.PHOTO:
        return await incoming.reply_photo(
            _file(attachment), caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup,
            filename=attachment.file_name or None,
        )  # fmt: skip
    if attachment is not None:
        return await incoming.reply_document(
            _file(attachment), caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup,
            filename=attachment.file_name or None,
        )  # fmt: skip
    return await incoming.reply_text(
        message.text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        link_preview_options=link_preview(message),
    )


async def edit(bot: Bot, chat_id: int, message_id: int, message: OutMessage) -> None:
    """Replaces the text and buttons of a message the bot sent earlier (a progress line, a ceremony's
    count, a list redrawn). An identical edit, which Telegram refuses as "not modified", is no change."""
    try:
        await bot.edit_message_text(
            message.text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=inline_keyboard(message),
        )
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise
