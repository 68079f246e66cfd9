"""/me, /lang, /help and /cancel: what every person can do, whatever their role."""

from __future__ import annotations

import dataclasses

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ChatType

from compliance.office import joining, officials
from compliance.office.accounts import ChannelUser
from compliance.office.officials import SUPPORTED_LOCALES
from compliance.office.staff_uploads import discard_uploads
from handlers.i18n import _, set_locale
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram.command_menus import refresh_own_menu
from handlers.telegram.commands import group_help_lines, help_lines
from handlers.telegram.context import BotContext, reply
from storage.models import Role

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def role_name(role: Role) -> str:
    return {
        Role.OFFICIAL: _("official"),
        Role.HEAD: _("unit head"),
        Role.ADMIN: _("administrator"),
    }[role]


async def me(update: Update, context: BotContext) -> None:
    actor = current_scope().actor
    assert actor is not None
    lines = [
        _("<b>Your details</b>"),
        _("Name: {name}").format(name=esc(actor.full_name)),
        _("Title: {title}").format(title=esc(actor.title) if actor.title else "—"),
        _("Unit: {unit}").format(unit=esc(actor.unit_name) if actor.unit_name else "—"),
        _("Role: {role}").format(role=role_name(actor.role)),
        _("Language: {language}").format(language=LANGUAGE_NAMES.get(actor.locale or "", "—")),
    ]
    await reply(update, "\n".join(lines))


async def lang(update: Update, context: BotContext) -> None:
    buttons = [
        [InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=f"lang:{code}")]
        for code in SUPPORTED_LOCALES
    ]
    await reply(update, _("Choose your language:"), reply_markup=InlineKeyboardMarkup(buttons))


async def lang_chosen(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    code = (query.data or "").split(":", 1)[-1]
    if code not in SUPPORTED_LOCALES:
        await query.answer(_("Unknown language."), show_alert=True)
        return
    await officials.set_locale(scope.session, official_id=scope.actor.id, locale=code)
    await scope.commit()
    set_locale(code)
    await query.answer()
    await query.edit_message_text(_("Language set to {language}.").format(language=LANGUAGE_NAMES[code]))
    # The menu's fallback language is theirs: a head's or admin's follows the change.
    await refresh_own_menu(
        context.bot, dataclasses.replace(scope.actor, locale=code), context.services.default_locale
    )


def help_text(role: Role | None) -> str:
    """Every command the role may use, read from the command table that the gate and the menus use."""
    if role is None:
        title = _("<b>Cam Kết Bot</b>")
    else:
        title = _("<b>What you can do</b> (you are: {role})").format(role=role_name(role))
    return "\n".join([title, *help_lines(role)])


def group_help_text(bot_username: str) -> str:
    lines = [_("<b>Commands in this group</b>"), *group_help_lines()]
    lines.append(
        _("Everything else (signing, self-checks, reports…) works in a private chat with me: @{bot}").format(
            bot=esc(bot_username)
        )
    )
    return "\n".join(lines)


async def help_command(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        await reply(update, group_help_text(context.bot.username))
        return
    actor = current_scope().actor
    await reply(update, help_text(actor.role if actor else None))


async def cancel(update: Update, context: BotContext) -> None:
    """Leaves whatever is in progress: an open join request, a staff list waiting for confirmation."""
    scope = current_scope()
    user = update.effective_user
    assert user is not None
    cancelled = await joining.cancel_pending(scope.session, user=ChannelUser.telegram(user.id))
    if scope.actor is not None:
        cancelled = await discard_uploads(scope.session, uploaded_by_id=scope.actor.id) or cancelled
    text = _("Cancelled. Nothing was recorded.") if cancelled else _("There is nothing to cancel.")
    await reply(update, text, reply_markup=ReplyKeyboardRemove())
