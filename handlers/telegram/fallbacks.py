"""What nothing else took: a button no handler knows (stale, forged, from an old version of the bot) and a
private message of a kind the bot does not read (a sticker, a photo, a voice note). Both are answered,
in the person's language, so nobody waits for a reply that never comes; neither changes anything."""

from __future__ import annotations

from telegram import Update

from handlers.scope import current_scope
from handlers.telegram import render
from handlers.telegram.context import BotContext
from handlers.telegram.gate import explain_joining
from handlers.views import access
from handlers.views import fallbacks as views


async def stale_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(access.stale_button(), show_alert=True)


async def unreadable_message(update: Update, context: BotContext) -> None:
    if current_scope().actor is None:
        await explain_joining(update)
        return
    await render.answer(update, access.not_understood())


async def unexpected_file(update: Update, context: BotContext) -> None:
    """A file that is neither a staff list nor a pledge template, outside a plan update being written: say
    which files are read and who sends them, for this person's role."""
    actor = current_scope().actor
    if actor is None:
        await explain_joining(update)
        return
    await render.answer(update, views.unexpected_file(admin=actor.is_admin, head=actor.is_head))


async def private_only(update: Update, context: BotContext) -> None:
    """A private chat's command sent in a group: nothing personal is shown in a group."""
    await render.answer(update, views.private_only(context.bot.username))
