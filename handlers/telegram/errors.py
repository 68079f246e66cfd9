"""When a handler fails: log it with the update first, then tell the person, in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from handlers.messages import OutMessage
from handlers.telegram import render
from handlers.telegram.context import BotContext
from handlers.views import fallbacks as views
from storage.engine import is_unavailable

log = logging.getLogger(__name__)


async def error_handler(update: object, context: BotContext) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("handler failed for update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    error = context.error
    unavailable = error is not None and not isinstance(error, TelegramError) and is_unavailable(error)
    text = views.failed(database_unavailable=unavailable)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200], show_alert=True)
        elif update.effective_message is not None:
            await render.answer(update, OutMessage(text))
    except TelegramError:
        log.warning("could not tell the user about the error of update %s", update_id)
    # No handler of a later group runs for an update whose step failed: if the gate itself failed, what
    # comes after it must not run unchecked.
    raise ApplicationHandlerStop
