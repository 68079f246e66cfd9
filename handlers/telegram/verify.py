"""/verify CODE: a unit head or the office checks a paper receipt against the signature ledger."""

from __future__ import annotations

from telegram import Update

from handlers.scope import current_scope
from handlers.telegram import render
from handlers.telegram.context import BotContext
from handlers.views import verify as views


async def verify_command(update: Update, context: BotContext) -> None:
    code = " ".join(context.args or [])
    if not code:
        await render.answer(update, views.usage())
        return
    await render.answer(update, await views.verification(current_scope().session, code))
