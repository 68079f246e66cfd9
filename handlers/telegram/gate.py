"""The gate (group -1): load the official, set the language, and decide who may do what.

Authorization lives here, in one table, before any feature handler runs. Callback data names what
to act on but never carries authority: features re-check the object itself against the database.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from compliance.office.accounts import ChannelUser
from compliance.office.officials import Actor, load_actor, pick_locale
from compliance.privacy import consent
from handlers.commands import COMMANDS, Access
from handlers.i18n import set_locale
from handlers.messages import OutMessage
from handlers.scope import current_scope
from handlers.telegram import render
from handlers.telegram.context import BotContext
from handlers.views import access
from handlers.views import consent as consent_views
from handlers.views.help import who_may

# Who may use each command is the command table's (telegram.commands), shared with /help and the menus.
COMMAND_ACCESS: dict[str, Access] = {command.name: command.access for command in COMMANDS}
CALLBACK_ACCESS: dict[str, Access] = {
    "lang": Access.MEMBER,
    "jr": Access.MANAGER,
    "imp": Access.ADMIN,
    "pl": Access.MEMBER,
    "qz": Access.MEMBER,
    "rd": Access.MEMBER,
    "rp": Access.MANAGER,
    "sc": Access.MEMBER,
    "pv": Access.ADMIN,
    "cer": Access.MANAGER,
    "un": Access.MANAGER,
    "adm": Access.ADMIN,
    "bc": Access.MANAGER,
    "ack": Access.MEMBER,
    "er": Access.ADMIN,
    "cs": Access.MEMBER,
    "wd": Access.MEMBER,
}
# Unknown commands are for members: a stranger is told how to join, a member gets /help.
DEFAULT_ACCESS = Access.MEMBER


def level_of(actor: Actor | None) -> Access:
    if actor is None:
        return Access.ANYONE
    if actor.is_admin:
        return Access.ADMIN
    if actor.is_head:
        return Access.MANAGER
    return Access.MEMBER


def required_access(update: Update) -> Access:
    if update.my_chat_member is not None:
        return (
            Access.ANYONE
        )  # the bot added to or removed from a chat: handlers.telegram.groups decides what it means
    if update.callback_query is not None:
        prefix = (update.callback_query.data or "").split(":", 1)[0]
        return CALLBACK_ACCESS.get(prefix, Access.ADMIN)  # forged or stale prefixes reach nothing
    message = update.message
    if message is None:
        return Access.ADMIN
    if message.migrate_to_chat_id is not None:
        return Access.ANYONE  # a group became a supergroup: its link follows the new chat id
    if message.document is not None:
        # Heads attach documents to broadcasts, admins send staff lists and pledge templates: the handler of
        # each kind of file says who may send it, and a file nobody reads gets an answer saying what is read.
        return Access.MEMBER
    text = message.text or ""
    if text.startswith("/"):
        command = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
        return COMMAND_ACCESS.get(command, DEFAULT_ACCESS)
    # Plain text (a name typed after an invite) and a shared contact are the ways in.
    return Access.ANYONE


def _heard_in_group(update: Update, bot_username: str) -> bool:
    """Buttons, the bot's own membership, a group's upgrade, and commands that are not addressed to another
    bot (a bare /help in a group with several bots is for each of them, /help@other_bot is not for us)."""
    if update.callback_query is not None or update.my_chat_member is not None:
        return True
    message = update.message
    if message is None:
        return False
    if message.migrate_to_chat_id is not None:
        return True
    text = message.text or ""
    if not text.startswith("/"):
        return False
    _command, at, addressee = text.split(maxsplit=1)[0].partition("@")
    return not at or addressee.lower() == bot_username.lower()


def _from_anonymous_admin(update: Update) -> bool:
    """A message sent "as the group" (Telegram shows the group, the sender is GroupAnonymousBot)."""
    message = update.message
    return (
        message is not None
        and message.sender_chat is not None
        and message.sender_chat.id == message.chat.id
        and message.chat.type != ChatType.PRIVATE
    )


async def explain_joining(update: Update) -> None:
    await render.answer(update, access.explain_joining())


async def gate(update: Update, context: BotContext) -> None:
    scope = current_scope()
    user = update.effective_user
    chat = update.effective_chat
    if _from_anonymous_admin(update) and _heard_in_group(update, context.bot.username):
        # A command of an admin posting as the group: nobody to check the role of, so say why nothing happens.
        set_locale(context.services.default_locale)
        await render.answer(update, access.anonymous_admin())
        raise ApplicationHandlerStop
    # Channel posts, edited messages and anonymous group admins carry no person to act for.
    if user is None or chat is None or update.edited_message is not None or user.is_bot:
        raise ApplicationHandlerStop
    services = context.services
    set_locale(pick_locale(user.language_code, services.default_locale))
    actor = await load_actor(
        scope.session,
        user=ChannelUser.telegram(user.id),
        display_name=user.full_name,
        language_code=user.language_code,
        admin_ids=services.admin_ids,
        default_locale=services.default_locale,
    )
    scope.actor = actor
    if actor is not None and actor.locale:
        set_locale(actor.locale)
    needed = required_access(update)
    in_group = chat.type != ChatType.PRIVATE
    if in_group and not _heard_in_group(update, context.bot.username):
        raise ApplicationHandlerStop  # in groups the bot hears only commands addressed to it
    if actor is not None and not await _consent_answered(update, actor.id):
        raise ApplicationHandlerStop
    if level_of(actor) >= needed:
        return
    if update.callback_query is not None:
        await update.callback_query.answer(_button_refusal(update, actor), show_alert=True)
    elif actor is None and not in_group:
        await explain_joining(update)
    elif actor is not None:
        await render.answer(update, OutMessage(who_may(needed)))
    raise ApplicationHandlerStop


async def _consent_answered(update: Update, official_id: int) -> bool:
    """Nothing is processed for a person without a current consent (Luật 91/2025/QH15): until they answer
    the notice, every update shows it again; only the notice's own buttons go through."""
    if await consent.has_current(current_scope().session, official_id):
        return True
    query = update.callback_query
    if query is not None and (query.data or "").startswith("cs:"):
        return True
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        await render.answer(update, consent_views.needed_in_group())
    else:
        if query is not None:
            await query.answer()
        await render.answer(update, consent_views.notice())
    return False


def _button_refusal(update: Update, actor: Actor | None) -> str:
    """Names who may press it; a button of no known family (forged, or from an old version) is just stale."""
    assert update.callback_query is not None
    prefix = (update.callback_query.data or "").split(":", 1)[0]
    needed = CALLBACK_ACCESS.get(prefix)
    if needed is None:
        return access.stale_button()
    if actor is None:
        return access.not_allowed()
    if needed is Access.ADMIN:
        return access.admins_only()
    return access.managers_only()
