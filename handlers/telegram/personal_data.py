"""/mydata: everything stored about the person, as a JSON file and a readable summary; and /erase for
admins: a person who left loses their personal data, after a confirmation re-checked in the database."""

from __future__ import annotations

import json

from telegram import Update

from compliance.privacy import erasure, personal_data
from compliance.privacy.erasure import EraseOutcome
from handlers.messages import OutMessage
from handlers.scope import current_scope
from handlers.telegram import render
from handlers.telegram.context import BotContext
from handlers.views import access
from handlers.views import personal_data as views
from storage.clock import utcnow


async def my_data(update: Update, context: BotContext) -> None:
    scope = current_scope()
    chat = update.effective_chat
    assert scope.actor is not None and chat is not None
    data = await personal_data.collect(scope.session, official_id=scope.actor.id)
    if data is None:  # the row went away between the gate and here
        await render.answer(update, views.not_a_member())
        return
    await scope.release()  # reading only: no connection is held while Telegram is called
    await render.answer(update, views.summary(data))
    content = json.dumps(data.data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    await render.answer(update, views.data_file(data, scope.actor.id, content, utcnow()))


async def erase_command(update: Update, context: BotContext) -> None:
    scope = current_scope()
    args = context.args or []
    target = await erasure.find_target(scope.session, phone=" ".join(args), actor=scope.actor)
    if target.outcome is not EraseOutcome.FOUND:
        await render.answer(update, OutMessage(views.refusal(target.outcome)))
        return
    await render.answer(update, views.confirm_erase(target))


async def erase_decision(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None
    parts = (query.data or "").split(":")
    if len(parts) != 3 or parts[1] not in ("ok", "no") or not parts[2].isdigit():
        await query.answer(access.stale_button(), show_alert=True)
        return
    if parts[1] == "no":
        await query.answer()
        await render.answer(update, views.erase_cancelled())
        return
    result = await erasure.erase(scope.session, official_id=int(parts[2]), actor=scope.actor)
    if result.outcome is not EraseOutcome.ERASED:
        await query.answer(views.refusal(result.outcome)[:200], show_alert=True)
        return
    await scope.commit()
    await query.answer()
    await render.answer(update, views.erased(result))
