"""/me, /lang, /help and /cancel: what every person can do, whatever their role."""

from __future__ import annotations

import dataclasses

from telegram import Update
from telegram.constants import ChatType

from compliance.office import joining, officials
from compliance.office.accounts import ChannelUser
from compliance.office.officials import SUPPORTED_LOCALES
from compliance.office.staff_uploads import discard_uploads
from handlers.i18n import set_locale
from handlers.scope import current_scope
from handlers.telegram import render
from handlers.telegram.command_menus import refresh_own_menu
from handlers.telegram.context import BotContext
from handlers.views import profile as views
from handlers.views.help import group_help_lines, help_lines


async def me(update: Update, context: BotContext) -> None:
    actor = current_scope().actor
    assert actor is not None
    await render.answer(update, views.details(actor))


async def lang(update: Update, context: BotContext) -> None:
    await render.answer(update, views.choose_language())


async def lang_chosen(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    code = (query.data or "").split(":", 1)[-1]
    if code not in SUPPORTED_LOCALES:
        await query.answer(views.unknown_language(), show_alert=True)
        return
    await officials.set_locale(scope.session, official_id=scope.actor.id, locale=code)
    await scope.commit()
    set_locale(code)
    await query.answer()
    await render.answer(update, views.language_set(code))
    # The menu's fallback language is theirs: a head's or admin's follows the change.
    await refresh_own_menu(
        context.bot, dataclasses.replace(scope.actor, locale=code), context.services.default_locale
    )


async def help_command(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        await render.answer(update, views.group_help_text(context.bot.username, group_help_lines()))
        return
    actor = current_scope().actor
    role = actor.role if actor else None
    await render.answer(update, views.help_text(role, help_lines(role)))


async def cancel(update: Update, context: BotContext) -> None:
    """Leaves whatever is in progress: an open join request, a staff list waiting for confirmation."""
    scope = current_scope()
    user = update.effective_user
    assert user is not None
    cancelled = await joining.cancel_pending(scope.session, user=ChannelUser.telegram(user.id))
    if scope.actor is not None:
        cancelled = await discard_uploads(scope.session, uploaded_by_id=scope.actor.id) or cancelled
    await render.answer(update, views.cancelled(cancelled))
