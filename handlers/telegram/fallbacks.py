"""What nothing else took: a button no handler knows (stale, forged, from an old version of the bot) and a
private message of a kind the bot does not read (a sticker, a photo, a voice note). Both are answered,
in the person's language, so nobody waits for a reply that never comes; neither changes anything."""

from __future__ import annotations

from telegram import Update

from handlers.i18n import _
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram.context import BotContext, reply
from handlers.telegram.gate import explain_joining


async def stale_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(_("This button is no longer valid."), show_alert=True)


async def unreadable_message(update: Update, context: BotContext) -> None:
    if current_scope().actor is None:
        await explain_joining(update)
        return
    await reply(update, _("I did not understand that. Type /help to see what you can do."))


async def unexpected_file(update: Update, context: BotContext) -> None:
    """A file that is neither a staff list nor a pledge template, outside a plan update being written: say
    which files are read and who sends them, for this person's role."""
    actor = current_scope().actor
    if actor is None:
        await explain_joining(update)
        return
    if actor.is_admin:
        text = _(
            "I cannot use this file. Send the staff list as .xlsx or .csv, or a pledge template as .yaml. "
            "To attach a file to a plan update, start with /broadcast."
        )
    elif actor.is_head:
        text = _(
            "I cannot use this file here. To send it with a plan update, start with /broadcast. "
            "Staff lists and pledge templates are sent by administrators."
        )
    else:
        text = _(
            "I do not read files from officials: staff lists and pledge templates are sent by "
            "administrators. Type /help to see what you can do."
        )
    await reply(update, text)


async def private_only(update: Update, context: BotContext) -> None:
    """A private chat's command sent in a group: nothing personal is shown in a group."""
    await reply(
        update,
        _("This command works in a private chat with me: @{bot}").format(bot=esc(context.bot.username)),
    )
