"""/ceremony: a head opens a signing ceremony in their unit's group (or in private); the message counts
signatures as they come in, edited at most every few seconds, and closes with totals per unit."""

from __future__ import annotations

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from compliance.pledge import ceremonies
from handlers.scope import current_scope
from handlers.telegram import render
from handlers.telegram.context import BotContext, BotServices
from handlers.views import access
from handlers.views import ceremony as views
from storage.engine import Database

REFRESH_SECONDS = 5


async def start_ceremony(update: Update, context: BotContext) -> None:
    scope = current_scope()
    chat = update.effective_chat
    assert scope.actor is not None and chat is not None
    view = await ceremonies.start(scope.session, actor=scope.actor, chat_id=chat.id)
    if view is None:
        await render.answer(update, views.cannot_start())
        return
    message = await render.answer(update, views.ceremony(view, context.bot.username))
    if message is not None:
        await ceremonies.attach_message(scope.session, ceremony_id=view.id, message_id=message.message_id)


async def close_ceremony(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    data = (query.data or "").split(":")
    closed = None
    if len(data) == 3 and data[2].isdigit():
        closed = await ceremonies.close(scope.session, ceremony_id=int(data[2]), actor=scope.actor)
    if closed is None:
        await query.answer(access.not_allowed(), show_alert=True)
        return
    view, totals = closed
    await scope.commit()
    await query.answer()
    await render.answer(update, views.closed(view, totals))


async def refresh_once(bot: Bot, database: Database, default_locale: str) -> int:
    """Edit the ceremonies whose count moved; called every few seconds by the job queue."""
    async with database.unit_of_work() as session:
        changed = await ceremonies.changed_since_shown(session)
    for view in changed:
        assert view.message_id is not None
        message = views.ceremony(view, bot.username)
        try:
            await render.edit(bot, view.chat_id, view.message_id, message)
        except TelegramError:
            continue  # the message was deleted or the bot removed: the ceremony simply stops updating
    return len(changed)


async def refresh_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    services: BotServices = context.bot_data  # type: ignore[assignment]
    await refresh_once(context.bot, services.database, services.default_locale)
