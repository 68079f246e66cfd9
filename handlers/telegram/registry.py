"""Every handler in its group, and the command menus registered with Telegram per language and scope."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from telegram import Bot, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers.commands import PRIVATE_ONLY, Where
from handlers.scope import maybe_scope
from handlers.telegram import (
    admin_menu,
    broadcast,
    broadcast_status,
    calendar_admin,
    ceremony,
    consent,
    fallbacks,
    groups,
    invites,
    joining,
    pending,
    personal_data,
    pledge,
    pledge_admin,
    practice,
    profile,
    quiz,
    receipts,
    report,
    schedule_admin,
    staff_upload,
    verify,
    web_link,
)
from handlers.telegram.command_menus import set_chat_menu
from handlers.telegram.commands import menus_by_language
from handlers.telegram.context import BotContext
from handlers.telegram.errors import error_handler
from handlers.telegram.gate import gate
from storage.models import Role

PRIVATE = filters.ChatType.PRIVATE


def _traced(
    callback: Callable[[Update, BotContext], Coroutine[Any, Any, Any]],
) -> Callable[[Update, BotContext], Coroutine[Any, Any, Any]]:
    """Records which handlers ran, for the one log line per update."""

    @functools.wraps(callback)
    async def run(update: Update, context: BotContext) -> Any:
        scope = maybe_scope()
        if scope is not None:
            scope.handlers.append(callback.__name__)
        return await callback(update, context)  # a conversation step's result is its next state

    return run


def _trace(handler: BaseHandler[Any, Any, Any]) -> None:
    if isinstance(handler, ConversationHandler):
        inner = [
            *handler.entry_points,
            *handler.fallbacks,
            *(h for hs in handler.states.values() for h in hs),
        ]
        for step in inner:
            _trace(step)
    else:
        handler.callback = _traced(handler.callback)


def register(application: Application) -> None:  # type: ignore[type-arg]
    # Group -1: the gate loads the official and refuses what their role does not allow.
    application.add_handler(TypeHandler(Update, _traced(gate)), group=-1)
    # Group 0: one handler per command, button family and kind of message.
    handlers: list[BaseHandler[Any, Any, Any]] = [
        # The signing conversation comes first: while someone is in it, its steps take their messages.
        pledge.conversation(),
        broadcast.conversation(),
        *broadcast_status.handlers(),
        CommandHandler("start", joining.start, filters=PRIVATE),
        CommandHandler("help", profile.help_command),
        CommandHandler("cancel", profile.cancel, filters=PRIVATE),
        CommandHandler("me", profile.me, filters=PRIVATE),
        CommandHandler("lang", profile.lang, filters=PRIVATE),
        CommandHandler("web", web_link.web_command, filters=PRIVATE),
        CommandHandler("invite", invites.invite, filters=PRIVATE),
        CommandHandler("calendar", calendar_admin.calendar_command, filters=PRIVATE),
        CommandHandler("schedule", schedule_admin.schedule_command, filters=PRIVATE),
        CommandHandler("import", staff_upload.import_help, filters=PRIVATE),
        CommandHandler("mypledge", receipts.my_pledge, filters=PRIVATE),
        *quiz.callback_handlers(),
        *practice.handlers(),
        CommandHandler("report", report.report_command, filters=PRIVATE),
        CallbackQueryHandler(report.report_button, pattern=r"^rp:"),
        CommandHandler("ceremony", ceremony.start_ceremony),
        CallbackQueryHandler(profile.lang_chosen, pattern=r"^lang:"),
        CallbackQueryHandler(pending.refresh, pattern=r"^jr:l$"),
        CallbackQueryHandler(invites.join_decision, pattern=r"^jr:"),
        CommandHandler("pending", pending.pending_command, filters=PRIVATE),
        CommandHandler("verify", verify.verify_command, filters=PRIVATE),
        # Unit group chats: the bot's own membership, a group's upgrade, and the commands that link it.
        ChatMemberHandler(groups.bot_membership, chat_member_types=ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, groups.group_migrated),
        CommandHandler("linkgroup", groups.link_group),
        CommandHandler("unlinkgroup", groups.unlink_group),
        CommandHandler("groupreport", groups.group_report),
        CallbackQueryHandler(staff_upload.import_decision, pattern=r"^imp:"),
        CallbackQueryHandler(pledge_admin.publish_decision, pattern=r"^pv:[mwxs]$"),
        CallbackQueryHandler(ceremony.close_ceremony, pattern=r"^cer:end:"),
        CommandHandler("mydata", personal_data.my_data, filters=PRIVATE),
        CommandHandler("erase", personal_data.erase_command, filters=PRIVATE),
        CallbackQueryHandler(personal_data.erase_decision, pattern=r"^er:"),
        CallbackQueryHandler(consent.answer, pattern=r"^cs:"),
        CommandHandler("withdraw", consent.withdraw_command, filters=PRIVATE),
        CallbackQueryHandler(consent.withdraw_decision, pattern=r"^wd:"),
        *admin_menu.handlers(),
        MessageHandler(PRIVATE & filters.CONTACT, joining.contact_shared),
        MessageHandler(
            PRIVATE & (filters.Document.FileExtension("yaml") | filters.Document.FileExtension("yml")),
            pledge_admin.yaml_received,
        ),
        MessageHandler(
            PRIVATE & (filters.Document.FileExtension("xlsx") | filters.Document.FileExtension("csv")),
            staff_upload.document_received,
        ),
        # Any other file: say which files the bot reads, and who sends them.
        MessageHandler(PRIVATE & filters.Document.ALL, fallbacks.unexpected_file),
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, joining.text_message),
        # A private chat's command sent in a group: a pointer to the private chat rather than silence.
        CommandHandler(PRIVATE_ONLY, fallbacks.private_only, filters=~PRIVATE),
        # Last: an unknown command in a private chat gets a pointer to /help.
        MessageHandler(PRIVATE & filters.COMMAND, joining.text_message),
        # Then whatever nothing else took: a stale or forged button, a sticker or photo in private.
        CallbackQueryHandler(fallbacks.stale_button),
        MessageHandler(PRIVATE & ~filters.StatusUpdate.ALL, fallbacks.unreadable_message),
    ]
    for handler in handlers:
        _trace(handler)
        application.add_handler(handler, group=0)
    application.add_error_handler(error_handler)


async def register_commands(bot: Bot, *, admin_chat_ids: Iterable[int], default_locale: str) -> None:
    """setMyCommands for the officials' default (private chats) and for groups, in every language; the
    administrators of ADMIN_IDS get theirs at once (a few chats). Heads' menus, and those of admins named in
    the chat, go through the outbox (handlers.telegram.command_menus)."""
    private, groups = BotCommandScopeAllPrivateChats(), BotCommandScopeAllGroupChats()
    for language_code, commands in menus_by_language(Role.OFFICIAL, default_locale):
        await bot.set_my_commands(commands, scope=private, language_code=language_code)
    for language_code, commands in menus_by_language(None, default_locale, Where.GROUP):
        await bot.set_my_commands(commands, scope=groups, language_code=language_code)
    for chat_id in admin_chat_ids:
        try:
            await set_chat_menu(bot, chat_id, Role.ADMIN, default_locale)
        except TelegramError:
            # An admin who never opened the bot has no chat yet; their menu comes with their /start.
            continue
