"""/pending: the join requests a head or an admin may decide (the newest, listed by name), with approve and
reject buttons.

The buttons are the join request's own ("jr:a:<id>", "jr:r:<id>"), so handlers.telegram.invites.join_decision
decides and re-checks in the database; a last "jr:l" button marks the message as this list, which is then
redrawn after each decision instead of being replaced by its result.
"""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from compliance.office.join_requests import PendingRequest, pending_requests
from compliance.office.officials import Actor
from handlers.i18n import _, fmt_datetime
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram.context import BotContext, reply

LIST_MARK = "jr:l"
# Long names and unit names are cut so that twenty requests always fit one message (4 096 characters).
MAX_FIELD = 60
MAX_BUTTON_NAME = 24
MAX_TEXT = 3800


def _cut(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _line(n: int, request: PendingRequest) -> str:
    return _("{n}. <b>{name}</b>, {unit} (Telegram: {telegram_name}), {when}").format(
        n=n,
        name=esc(_cut(request.full_name, MAX_FIELD)),
        unit=esc(_cut(request.unit_name, MAX_FIELD)),
        telegram_name=esc(_cut(request.display_name, MAX_FIELD)),
        when=fmt_datetime(request.created_at),
    )


async def render(actor: Actor, *, headline: str | None = None) -> tuple[str, InlineKeyboardMarkup | None]:
    requests, total = await pending_requests(current_scope().session, actor=actor)
    parts = [headline, ""] if headline else []
    if not requests:
        parts.append(_("No join requests are waiting for your approval."))
        return "\n".join(parts), None
    parts.append(_("<b>Join requests waiting for approval</b>: {total}").format(total=total))
    rows: list[list[InlineKeyboardButton]] = []
    for n, request in enumerate(requests, start=1):
        line = _line(n, request)
        if len("\n".join([*parts, line])) > MAX_TEXT:
            break
        parts.append(line)
        rows.append(
            [
                InlineKeyboardButton(
                    f"✅ {n}. {_cut(request.full_name, MAX_BUTTON_NAME)}", callback_data=f"jr:a:{request.id}"
                ),
                InlineKeyboardButton(_("✖ Reject no. {n}").format(n=n), callback_data=f"jr:r:{request.id}"),
            ]
        )
    if total > len(rows):
        parts.append(_("The newest {shown} of {total} are shown.").format(shown=len(rows), total=total))
    rows.append([InlineKeyboardButton(_("🔄 Refresh"), callback_data=LIST_MARK)])
    return "\n".join(parts), InlineKeyboardMarkup(rows)


async def pending_command(update: Update, context: BotContext) -> None:
    actor = current_scope().actor
    assert actor is not None
    text, markup = await render(actor)
    await reply(update, text, reply_markup=markup)


def is_pending_list(message: object) -> bool:
    """Whether a pressed button sits on a /pending list (and not on a single request sent by the outbox)."""
    markup = message.reply_markup if isinstance(message, Message) else None
    return markup is not None and any(
        button.callback_data == LIST_MARK for row in markup.inline_keyboard for button in row
    )


async def redraw(query: CallbackQuery, actor: Actor, *, headline: str | None = None) -> None:
    text, markup = await render(actor, headline=headline)
    await current_scope().commit()
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as exc:
        # Refresh pressed with nothing changed: Telegram refuses an identical edit, which is fine.
        if "not modified" not in exc.message.lower():
            raise


async def refresh(update: Update, context: BotContext) -> None:
    query = update.callback_query
    actor = current_scope().actor
    assert query is not None and actor is not None
    await query.answer()
    await redraw(query, actor)
