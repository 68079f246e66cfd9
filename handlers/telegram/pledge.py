"""/pledge: read the pledge section by section, (pass the quiz,) type your name, confirm, get a receipt.

The conversation's step and draft are persisted (DatabasePersistence); the signature itself is checked
again in compliance.pledge.signing.sign, whatever the draft says.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from compliance.pledge import signing as pledges
from compliance.pledge.signing import SignOutcome, Version
from compliance.pledge.templates import PledgeTemplate, section_text
from handlers.i18n import _, current_locale, fmt_datetime
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram.context import BotContext, reply
from handlers.telegram.gate import explain_joining
from handlers.telegram.receipts import send_receipt
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
        await reply(update, _("No pledge has been published for your unit yet."))
        return END
    personal = await pledges.existing_signature(
        scope.session, official_id=actor.id, version_id=version.id, on_behalf_of_unit=False
    )
    unit_signed = None
    if actor.is_head and actor.unit_id:
        unit_signed = await pledges.existing_signature(
            scope.session, official_id=actor.id, version_id=version.id, on_behalf_of_unit=True
        )
    title = esc(version.template.title.get(current_locale()))
    if personal is not None and (not actor.is_head or not actor.unit_id or unit_signed is not None):
        await reply(
            update,
            _("You signed <b>{title}</b> on {date}. Type /mypledge to get your receipt again.").format(
                title=title, date=fmt_datetime(personal.signed_at)
            ),
        )
        return END
    _draft(context).update({"version_id": version.id, "unit": False, "section": 0, "quiz": 0})
    if actor.is_head and actor.unit_id and personal is None and unit_signed is None:
        markup = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(_("For myself"), callback_data="pl:who:me")],
                [InlineKeyboardButton(_("On behalf of my unit"), callback_data="pl:who:unit")],
            ]
        )
        await reply(
            update,
            _("Do you sign <b>{title}</b> for yourself or on behalf of your unit?").format(title=title),
            reply_markup=markup,
        )
        return CHOOSE
    _draft(context)["unit"] = personal is not None  # a head who signed personally now signs for the unit
    # A head half-way (one of the two signatures made) is told which one this is, and that the other stands.
    if unit_signed is not None:
        note = _("You signed <b>{title}</b> on behalf of your unit on {date}. Now you sign it for yourself.")
        note = note.format(title=title, date=fmt_datetime(unit_signed.signed_at))
    elif personal is not None:
        note = _("You signed <b>{title}</b> for yourself on {date}. Now you sign it on behalf of your unit.")
        note = note.format(title=title, date=fmt_datetime(personal.signed_at))
    else:
        note = None
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
    locale = current_locale()
    section = template.sections[index]
    first_number = 1 + sum(len(s.items) for s in template.sections[:index])
    body = esc(section_text(template, section, locale, first_number))
    lines = body.split("\n", 1)
    text = f"<b>{lines[0]}</b>\n{lines[1]}" if len(lines) == 2 else body
    if index == 0:
        header = f"<b>{esc(template.title.get(locale))}</b>\n<i>{esc(template.introduction.get(locale))}</i>"
        text = f"{header}\n\n{text}"
    if note:
        text = f"{note}\n\n{text}"
    text += "\n\n" + _("Part {n} of {total}").format(n=index + 1, total=len(template.sections))
    _draft(context)["section"] = index
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(_("Next ▶"), callback_data=f"pl:next:{index}")]])
    await _send_step(update, context, text, markup)
    return READING


async def _pressed_step(update: Update, context: BotContext) -> Version | None:
    """Acknowledge a step's button and return the version being signed, or None if it has changed."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    version = await _current(context)
    return version if version is not None and version.id == _draft(context).get("version_id") else None


async def _send_step(update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup) -> None:
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


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
    locale = current_locale()
    question = template.quiz[index]
    text = prefix + _("<b>Question {n} of {total}</b>\n{question}").format(
        n=index + 1, total=len(template.quiz), question=esc(question.question.get(locale))
    )
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(option.get(locale), callback_data=f"pl:q:{index}:{n}")]
            for n, option in enumerate(question.options)
        ]
    )
    await _send_step(update, context, text, markup)
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
    question = version.template.quiz[index]
    explanation = esc(question.explanation.get(current_locale()))
    await query.edit_message_reply_markup(None)
    if option != question.answer:
        prefix = _("✖ Not quite. {explanation}\nPlease try again.").format(explanation=explanation) + "\n\n"
        return await _ask_question(update, context, version.template, index, prefix)
    prefix = _("✅ Correct. {explanation}").format(explanation=explanation) + "\n\n"
    if index + 1 < len(version.template.quiz):
        draft["quiz"] = index + 1
        return await _ask_question(update, context, version.template, index + 1, prefix)
    await reply(update, prefix.strip())
    return await _ask_name(update)


async def _ask_name(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(
        _("To sign, type your full name exactly as it stands in the staff list. Send /cancel to stop."),
        parse_mode=ParseMode.HTML,
    )
    return NAME


async def name_typed(update: Update, context: BotContext) -> int:
    scope = current_scope()
    message = update.effective_message
    assert message is not None and scope.actor is not None
    typed = message.text or ""
    if not pledges.name_matches(typed, scope.actor.full_name):
        await reply(
            update,
            _(
                "This name does not match the staff list. Type your full name with its diacritics, family "
                "name first, as the staff list writes it ({words} words). Send /cancel to stop."
            ).format(words=len(scope.actor.full_name.split())),
        )
        return NAME
    draft = _draft(context)
    draft["name"] = typed
    version = await _current(context)
    if version is None or version.id != draft.get("version_id"):
        return await _changed(update, context)
    title = esc(version.template.title.get(current_locale()))
    if draft.get("unit"):
        text = _(
            "<b>{name}</b>, by pressing the button below you pledge, on behalf of <b>{unit}</b>, to carry "
            "out {title}."
        ).format(name=esc(scope.actor.full_name), unit=esc(scope.actor.unit_name), title=title)
    else:
        text = _("<b>{name}</b>, by pressing the button below you pledge to carry out {title}.").format(
            name=esc(scope.actor.full_name), title=title
        )
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("I pledge to carry this out"), callback_data="pl:ok")]]
    )
    await reply(update, text, reply_markup=markup)
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
        await query.answer(_("This signature cannot be recorded. Start again with /pledge."), show_alert=True)
        _clear(context)
        return END
    assert result.signature is not None
    await scope.commit()  # the signature is in the ledger before anything tells the person so
    _clear(context)
    await query.answer()
    await query.edit_message_text(
        _("✅ Signed on {date}. Your receipt follows.").format(date=fmt_datetime(result.signature.signed_at))
    )
    await send_receipt(context.bot, scope.session, result.signature, chat_id=query.message.chat.id)
    return END


async def _changed(update: Update, context: BotContext) -> int:
    _clear(context)
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(
        _("The pledge has changed while you were reading. Please start again with /pledge.")
    )
    return END


async def cancel(update: Update, context: BotContext) -> int:
    _clear(context)
    await reply(update, _("Cancelled. Nothing was recorded."))
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
