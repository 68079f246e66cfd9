"""Every handler in its group, and the command menus registered with Telegram per language and scope."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Update,
)
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

from handlers import (
    admin_menu,
    broadcast,
    broadcast_status,
    calendar_admin,
    ceremony,
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
)
from handlers.context import BotContext
from handlers.errors import error_handler
from handlers.gate import gate
from handlers.i18n import _, use_locale
from handlers.scope import maybe_scope

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
        # Unit group chats: the bot's own membership, a group's upgrade, and the commands that link it.
        ChatMemberHandler(groups.bot_membership, chat_member_types=ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, groups.group_migrated),
        CommandHandler("linkgroup", groups.link_group),
        CommandHandler("unlinkgroup", groups.unlink_group),
        CommandHandler("groupreport", groups.group_report),
        CallbackQueryHandler(staff_upload.import_decision, pattern=r"^imp:"),
        CallbackQueryHandler(pledge_admin.publish_decision, pattern=r"^pv:[mwx]$"),
        CallbackQueryHandler(ceremony.close_ceremony, pattern=r"^cer:end:"),
        CommandHandler("mydata", personal_data.my_data, filters=PRIVATE),
        CommandHandler("erase", personal_data.erase_command, filters=PRIVATE),
        CallbackQueryHandler(personal_data.erase_decision, pattern=r"^er:"),
        *admin_menu.handlers(),
        MessageHandler(PRIVATE & filters.CONTACT, joining.contact_shared),
        MessageHandler(
            PRIVATE & (filters.Document.FileExtension("yaml") | filters.Document.FileExtension("yml")),
            pledge_admin.yaml_received,
        ),
        MessageHandler(PRIVATE & filters.Document.ALL, staff_upload.document_received),
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, joining.text_message),
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


def _private_commands() -> list[BotCommand]:
    return [
        BotCommand("start", _("Start and join")),
        BotCommand("pledge", _("Read and sign the pledge")),
        BotCommand("mypledge", _("Your pledge receipt")),
        BotCommand("checkin", _("Weekly self-check")),
        BotCommand("report", _("Compliance report")),
        BotCommand("quiz", _("Practice quiz")),
        BotCommand("mute", _("Pause the daily reminder (leave)")),
        BotCommand("me", _("Your details")),
        BotCommand("mydata", _("Everything stored about you")),
        BotCommand("lang", _("Change language")),
        BotCommand("help", _("What you can do")),
        BotCommand("cancel", _("Stop what you are doing")),
    ]


def _admin_commands() -> list[BotCommand]:
    return [
        *_private_commands(),
        BotCommand("admin", _("All administrator actions")),
        BotCommand("units", _("Units, their heads and counts")),
        BotCommand("invite", _("Invite link for a unit")),
        BotCommand("pending", _("Join requests waiting for approval")),
        BotCommand("import", _("Import the staff list")),
        BotCommand("ceremony", _("Open a signing ceremony")),
        BotCommand("broadcast", _("Send a plan update")),
        BotCommand("broadcasts", _("Plan updates sent and who confirmed")),
        BotCommand("calendar", _("Working days and days off")),
        BotCommand("schedule", _("Reminder and self-check times")),
        BotCommand("audit", _("Latest entries of the audit log")),
        BotCommand("erase", _("Erase the data of a person who left")),
    ]


def _group_commands() -> list[BotCommand]:
    return [
        BotCommand("help", _("What this bot does")),
        BotCommand("ceremony", _("Open a signing ceremony")),
        BotCommand("linkgroup", _("Link this group to its unit")),
    ]


async def register_commands(bot: Bot, *, admin_chat_ids: Iterable[int], default_locale: str) -> None:
    """setMyCommands for each scope, once with no language (the default, Vietnamese) and once per locale."""
    for language_code, locale in ((None, default_locale), ("vi", "vi"), ("en", "en")):
        with use_locale(locale):
            await bot.set_my_commands(
                _private_commands(), scope=BotCommandScopeAllPrivateChats(), language_code=language_code
            )
            await bot.set_my_commands(
                _group_commands(), scope=BotCommandScopeAllGroupChats(), language_code=language_code
            )
            for chat_id in admin_chat_ids:
                try:
                    await bot.set_my_commands(
                        _admin_commands(), scope=BotCommandScopeChat(chat_id), language_code=language_code
                    )
                except TelegramError:
                    # An admin who never opened the bot has no chat yet; their menu comes next start.
                    continue
