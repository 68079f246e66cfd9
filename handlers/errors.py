"""When a handler fails: log it with the update first, then tell the person, in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from handlers.context import BotContext, reply
from handlers.i18n import _

log = logging.getLogger(__name__)


async def error_handler(update: object, context: BotContext) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("handler failed for update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    text = _(
        "Sorry, something went wrong and this step was not completed. Everything you had already "
        "confirmed is safe. Please try again in a moment."
    )
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200], show_alert=True)
        elif update.effective_message is not None:
            await reply(update, text)
    except TelegramError:
        log.warning("could not tell the user about the error of update %s", update_id)
