"""What nothing else took: a button no handler knows (stale, forged, from an old version of the bot) and a
private message of a kind the bot does not read (a sticker, a photo, a voice note). Both are answered,
in the person's language, so nobody waits for a reply that never comes; neither changes anything."""

from __future__ import annotations

from telegram import Update

from handlers.context import BotContext, reply
from handlers.gate import explain_joining
from handlers.i18n import _
from handlers.scope import current_scope


async def stale_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(_("This button is no longer valid."), show_alert=True)


async def unreadable_message(update: Update, context: BotContext) -> None:
    if current_scope().actor is None:
        await explain_joining(update)
        return
    await reply(update, _("I did not understand that. Type /help to see what you can do."))
