"""When a handler fails: log it with the update first, then tell the person, in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from handlers.i18n import _
from handlers.telegram.context import BotContext, reply
from storage.engine import is_unavailable

log = logging.getLogger(__name__)


async def error_handler(update: object, context: BotContext) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("handler failed for update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    error = context.error
    if error is not None and not isinstance(error, TelegramError) and is_unavailable(error):
        # Restarted, unreachable, or locked by a backup: the person did nothing wrong, and their step
        # was rolled back whole.
        text = _(
            "The database is busy at the moment (a backup or a restart), so this step was not "
            "completed. Please try again in a minute."
        )
    else:
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
    # No handler of a later group runs for an update whose step failed: if the gate itself failed, what
    # comes after it must not run unchecked.
    raise ApplicationHandlerStop
