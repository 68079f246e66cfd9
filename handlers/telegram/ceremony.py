"""/ceremony: a head opens a signing ceremony in their unit's group (or in private); the message counts
signatures as they come in, edited at most every few seconds, and closes with totals per unit."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from compliance.pledge import ceremonies
from compliance.pledge.ceremonies import CeremonyView
from handlers.i18n import _, current_locale
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram.context import BotContext, BotServices, reply
from storage.engine import Database

REFRESH_SECONDS = 5


def _text(view: CeremonyView) -> str:
    title = view.title_en if current_locale() == "en" else view.title_vi
    return _("<b>Signing ceremony</b>: {title}\n{unit}: <b>{signed}/{total}</b> have signed.").format(
        title=esc(title), unit=esc(view.unit_name), signed=view.signed, total=view.total
    )


def _markup(view: CeremonyView, bot_username: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("✍️ Sign the pledge"), url=f"https://t.me/{bot_username}?start=sign")],
            [InlineKeyboardButton(_("Close the ceremony"), callback_data=f"cer:end:{view.id}")],
        ]
    )


async def start_ceremony(update: Update, context: BotContext) -> None:
    scope = current_scope()
    chat = update.effective_chat
    assert scope.actor is not None and chat is not None
    view = await ceremonies.start(scope.session, actor=scope.actor, chat_id=chat.id)
    if view is None:
        await reply(update, _("A ceremony needs a published pledge and a unit that you head."))
        return
    message = await reply(update, _text(view), reply_markup=_markup(view, context.bot.username))
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
        await query.answer(_("You are not allowed to do this."), show_alert=True)
        return
    view, totals = closed
    await scope.commit()
    await query.answer()
    lines = [_text(view), "", _("<b>Ceremony closed.</b> Signatures per unit:")]
    lines += [f"• {esc(t.unit_name)}: {t.signed}/{t.total}" for t in totals]
    await query.edit_message_text("\n".join(lines), parse_mode=ParseMode.HTML)


async def refresh_once(bot: Bot, database: Database, default_locale: str) -> int:
    """Edit the ceremonies whose count moved; called every few seconds by the job queue."""
    async with database.unit_of_work() as session:
        changed = await ceremonies.changed_since_shown(session)
    for view in changed:
        assert view.message_id is not None
        try:
            await bot.edit_message_text(
                _text(view),
                chat_id=view.chat_id,
                message_id=view.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(view, bot.username),
            )
        except TelegramError:
            continue  # the message was deleted or the bot removed: the ceremony simply stops updating
    return len(changed)


async def refresh_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    services: BotServices = context.bot_data  # type: ignore[assignment]
    await refresh_once(context.bot, services.database, services.default_locale)
