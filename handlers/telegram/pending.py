"""/pending: the join requests a head or an admin may decide, with approve and reject buttons (the list is
handlers.views.pending's).

The buttons are the join request's own, so handlers.telegram.invites.join_decision decides and re-checks in
the database; the list's last button marks the message as this list, which is then redrawn after each
decision instead of being replaced by its result.
"""

from __future__ import annotations

from telegram import CallbackQuery, Message, Update

from compliance.office.join_requests import pending_requests
from compliance.office.officials import Actor
from handlers.messages import OutMessage
from handlers.scope import current_scope
from handlers.telegram import render
from handlers.telegram.context import BotContext
from handlers.views import pending as views


async def _list(actor: Actor, *, headline: str | None = None, edit: bool = False) -> OutMessage:
    requests, total = await pending_requests(current_scope().session, actor=actor)
    return views.pending_list(requests, total, headline=headline, edit=edit)


async def pending_command(update: Update, context: BotContext) -> None:
    actor = current_scope().actor
    assert actor is not None
    await render.answer(update, await _list(actor))


def is_pending_list(message: object) -> bool:
    """Whether a pressed button sits on a /pending list (and not on a single request sent by the outbox)."""
    markup = message.reply_markup if isinstance(message, Message) else None
    return markup is not None and any(
        button.callback_data == views.LIST_MARK for row in markup.inline_keyboard for button in row
    )


async def redraw(query: CallbackQuery, actor: Actor, *, headline: str | None = None) -> None:
    message = await _list(actor, headline=headline, edit=True)
    await current_scope().commit()
    # Refresh pressed with nothing changed is an identical edit, which render.edit takes as no change.
    assert query.message is not None
    await render.edit(query.get_bot(), query.message.chat.id, query.message.message_id, message)


async def refresh(update: Update, context: BotContext) -> None:
    query = update.callback_query
    actor = current_scope().actor
    assert query is not None and actor is not None
    await query.answer()
    await redraw(query, actor)
