"""/pledge: read the pledge section by section, (pass the quiz,) type your name, confirm, get a receipt.

The conversation's step and draft are persisted (DatabasePersistence); the signature itself is checked
again in compliance.pledge.signing.sign, whatever the draft says.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from compliance.pledge import signing as pledges
from compliance.pledge.signing import SignOutcome, Version
from compliance.pledge.templates import PledgeTemplate
from handlers.i18n import current_locale
from handlers.messages import OutMessage
from handlers.scope import current_scope
from handlers.telegram import render
from handlers.telegram.context import BotContext
from handlers.telegram.gate import explain_joining
from handlers.telegram.receipts import send_receipt
from handlers.views import pledge as views
from storage.models import Unit

CHOOSE, READING, QUIZ, NAME, CONFIRM = range(5)
END = ConversationHandler.END


def _draft(context: BotContext) -> dict[str, Any]:
    assert context.user_data is not None
    draft: dict[str, Any] = context.user_data.setdefault("pledge", {})
    return draft


def _clear(context: BotContext) -> None:
    if context.user_data is not None:
        context.user_data.pop("pledge", None)


async def _current(context: BotContext) -> Version | None:
    scope = current_scope()
    assert scope.actor is not None
    unit = await scope.session.get(Unit, scope.actor.unit_id) if scope.actor.unit_id else None
    return await pledges.current_version(scope.session, unit)


async def start(update: Update, context: BotContext) -> int:
    scope = current_scope()
    actor = scope.actor
    if actor is None:  # a stranger who followed a ceremony's link
        await explain_joining(update)
        return END
    _clear(context)
    version = await _current(context)
    if version is None:
        await render.answer(update, views.no_pledge())
        return END
    personal = await pledges.existing_signature(
        scope.session, official_id=actor.id, version_id=version.id, on_behalf_of_unit=False
    )
    unit_signed = None
    if actor.is_head and actor.unit_id:
        unit_signed = await pledges.existing_signature(
            scope.session, official_id=actor.id, version_id=version.id, on_behalf_of_unit=True
        )
    if personal is not None and (not actor.is_head or not actor.unit_id or unit_signed is not None):
        await render.answer(update, views.already_signed(version.template, personal.signed_at))
        return END
    _draft(context).update({"version_id": version.id, "unit": False, "section": 0, "quiz": 0})
    if actor.is_head and actor.unit_id and personal is None and unit_signed is None:
        await render.answer(update, views.choose_who(version.template))
        return CHOOSE
    _draft(context)["unit"] = personal is not None  # a head who signed personally now signs for the unit
    half = unit_signed or personal
    note = (
        views.half_signed_note(version.template, signed_at=half.signed_at, for_unit=unit_signed is not None)
        if half is not None
        else None
    )
    return await _show_section(update, context, version.template, 0, note=note)


async def choose(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None
    _draft(context)["unit"] = query.data == "pl:who:unit"
    version = await _pressed_step(update, context)
    if version is None:
        return await _changed(update, context)
    return await _show_section(update, context, version.template, 0)


async def _show_section(
    update: Update, context: BotContext, template: PledgeTemplate, index: int, *, note: str | None = None
) -> int:
    _draft(context)["section"] = index
    await _send_step(update, context, views.section(template, index, note=note))
    return READING


async def _pressed_step(update: Update, context: BotContext) -> Version | None:
    """Acknowledge a step's button and return the version being signed, or None if it has changed."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    version = await _current(context)
    return version if version is not None and version.id == _draft(context).get("version_id") else None


async def _send_step(update: Update, context: BotContext, message: OutMessage) -> None:
    chat = update.effective_chat
    assert chat is not None
    await render.send(context.bot, chat.id, message)


async def next_section(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    version = await _pressed_step(update, context)
    if version is None:
        return await _changed(update, context)
    pressed = int((query.data or "pl:next:0").rsplit(":", 1)[-1] or 0)
    if pressed != draft.get("section", 0):
        return READING  # an old "Next" pressed again: the conversation is already further on
    await query.edit_message_reply_markup(None)
    template = version.template
    if pressed + 1 < len(template.sections):
        return await _show_section(update, context, template, pressed + 1)
    if template.require_quiz and template.quiz:
        draft["quiz"] = 0
        return await _ask_question(update, context, template, 0, prefix="")
    return await _ask_name(update)


async def _ask_question(
    update: Update, context: BotContext, template: PledgeTemplate, index: int, prefix: str
) -> int:
    await _send_step(update, context, views.question(template, index, prefix=prefix))
    return QUIZ


async def answer(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    version = await _pressed_step(update, context)
    if version is None:
        return await _changed(update, context)
    index_text, option_text = (query.data or "pl:q:0:0").split(":")[2:4]
    index, option = int(index_text), int(option_text)
    if index != draft.get("quiz", 0):
        return QUIZ
    correct = option == version.template.quiz[index].answer
    prefix = views.verdict(version.template, index, correct=correct)
    await query.edit_message_reply_markup(None)
    if not correct:
        return await _ask_question(update, context, version.template, index, prefix)
    if index + 1 < len(version.template.quiz):
        draft["quiz"] = index + 1
        return await _ask_question(update, context, version.template, index + 1, prefix)
    await render.answer(update, OutMessage(prefix.strip()))
    return await _ask_name(update)


async def _ask_name(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    await render.send(chat.get_bot(), chat.id, views.ask_name())
    return NAME


async def name_typed(update: Update, context: BotContext) -> int:
    scope = current_scope()
    message = update.effective_message
    assert message is not None and scope.actor is not None
    typed = message.text or ""
    if not pledges.name_matches(typed, scope.actor.full_name):
        await render.answer(update, views.name_mismatch(scope.actor.full_name))
        return NAME
    draft = _draft(context)
    draft["name"] = typed
    version = await _current(context)
    if version is None or version.id != draft.get("version_id"):
        return await _changed(update, context)
    confirmation = views.confirm(
        version.template,
        full_name=scope.actor.full_name,
        unit_name=scope.actor.unit_name,
        for_unit=bool(draft.get("unit")),
    )
    await render.answer(update, confirmation)
    return CONFIRM


async def confirm(update: Update, context: BotContext) -> int:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and query.message is not None and scope.actor is not None
    draft = _draft(context)
    result = await pledges.sign(
        scope.session,
        actor=scope.actor,
        version_id=int(draft.get("version_id", 0)),
        typed_name=str(draft.get("name", "")),
        locale=current_locale(),
        chat_id=query.message.chat.id,
        message_id=query.message.message_id,
        on_behalf_of_unit=bool(draft.get("unit")),
    )
    if result.outcome is SignOutcome.NOT_CURRENT:
        await query.answer()
        return await _changed(update, context)
    if result.outcome is not SignOutcome.SIGNED:
        await query.answer(views.cannot_record(), show_alert=True)
        _clear(context)
        return END
    assert result.signature is not None
    await scope.commit()  # the signature is in the ledger before anything tells the person so
    _clear(context)
    await query.answer()
    await render.answer(update, views.signed(result.signature.signed_at))
    await send_receipt(context.bot, scope.session, result.signature, chat_id=query.message.chat.id)
    return END


async def _changed(update: Update, context: BotContext) -> int:
    _clear(context)
    chat = update.effective_chat
    assert chat is not None
    await render.send(chat.get_bot(), chat.id, views.changed())
    return END


async def cancel(update: Update, context: BotContext) -> int:
    _clear(context)
    await render.answer(update, views.cancelled())
    return END


def conversation() -> ConversationHandler:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    # The steps mix typed text and buttons, so the conversation is per user and chat, not per message;
    # PTB warns about that combination, which is the intended one here.
    warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
    return ConversationHandler(
        entry_points=[
            CommandHandler("pledge", start, filters=private),
            CommandHandler("start", start, filters=private & filters.Regex(r"^/start sign")),
        ],
        states={
            CHOOSE: [CallbackQueryHandler(choose, pattern=r"^pl:who:(me|unit)$")],
            READING: [CallbackQueryHandler(next_section, pattern=r"^pl:next:\d+$")],
            QUIZ: [CallbackQueryHandler(answer, pattern=r"^pl:q:\d+:\d+$")],
            NAME: [MessageHandler(private & filters.TEXT & ~filters.COMMAND, name_typed)],
            CONFIRM: [CallbackQueryHandler(confirm, pattern=r"^pl:ok$")],
        },
        fallbacks=[CommandHandler("cancel", cancel), CommandHandler("pledge", start, filters=private)],
        name="pledge",
        persistent=True,
        allow_reentry=True,
    )
