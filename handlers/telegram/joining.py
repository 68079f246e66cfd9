"""/start, the shared phone number, invite links and the full name a newcomer types."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update

from compliance.office import joining
from compliance.office.accounts import ChannelUser
from compliance.office.joining import ContactOutcome, InviteOutcome, NameOutcome
from compliance.office.officials import Actor, pick_locale
from handlers.i18n import _
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram.command_menus import refresh_own_menu
from handlers.telegram.context import BotContext, reply
from handlers.telegram.gate import explain_joining
from handlers.telegram.office_setup import admin_checklist


def contact_keyboard() -> ReplyKeyboardMarkup:
    button = KeyboardButton(_("📱 Share my phone number"), request_contact=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


def welcome_text(actor: Actor) -> str:
    if not actor.unit_name:  # an administrator from ADMIN_IDS belongs to no unit
        return _(
            "Welcome, <b>{name}</b>! You have joined Cam Kết Bot. Type /help to see what you can do."
        ).format(name=esc(actor.full_name))
    return _(
        "Welcome, <b>{name}</b> ({unit})! You have joined Cam Kết Bot. Type /help to see what you can do."
    ).format(name=esc(actor.full_name), unit=esc(actor.unit_name))


async def start(update: Update, context: BotContext) -> None:
    scope = current_scope()
    user = update.effective_user
    assert user is not None
    if context.args:
        await _start_with_invite(update, context, context.args[0])
        return
    if scope.actor is not None:
        text = welcome_text(scope.actor)
        if scope.actor.is_admin:
            pending = await admin_checklist(scope.session)
            text = f"{text}\n\n{pending}" if pending else text
        await reply(update, text, reply_markup=ReplyKeyboardRemove())
        await refresh_own_menu(context.bot, scope.actor, context.services.default_locale)
        return
    await reply(
        update,
        _(
            "Welcome to Cam Kết Bot, the friendly-office pledge in your chat.\n\n"
            "To join, tap <b>Share my phone number</b> below. The number must be on your office's "
            "staff list. If it is not, ask your unit head for an invite link."
        ),
        reply_markup=contact_keyboard(),
    )


async def _start_with_invite(update: Update, context: BotContext, code: str) -> None:
    scope = current_scope()
    user = update.effective_user
    assert user is not None
    result = await joining.redeem_invite(
        scope.session,
        code=code,
        user=ChannelUser.telegram(user.id),
        display_name=user.full_name,
        locale=pick_locale(user.language_code, context.services.default_locale),
    )
    unit = esc(result.unit_name or "")
    texts = {
        InviteOutcome.ASK_NAME: _(
            "You were invited to join <b>{unit}</b>. Please type your full name as it appears in your "
            "office's records (for example: Nguyễn Thị Lan). Send /cancel to stop."
        ),
        InviteOutcome.UNKNOWN: _("This invite link is not valid. Ask your unit head for a new one."),
        InviteOutcome.EXPIRED: _(
            "This invite link to <b>{unit}</b> has expired. Ask your unit head for a new one."
        ),
        InviteOutcome.USED_UP: _(
            "This invite link to <b>{unit}</b> has been used up. Ask your unit head for a new one."
        ),
        InviteOutcome.ALREADY_JOINED: _("You have already joined. Type /me to see your details."),
        InviteOutcome.ALREADY_PENDING: _("Your request to join <b>{unit}</b> is waiting for approval."),
    }
    await reply(update, texts[result.outcome].format(unit=unit))


async def contact_shared(update: Update, context: BotContext) -> None:
    scope = current_scope()
    user = update.effective_user
    message = update.effective_message
    assert user is not None and message is not None and message.contact is not None
    result = await joining.join_by_contact(
        scope.session,
        user=ChannelUser.telegram(user.id),
        contact_user_id=message.contact.user_id,
        phone=message.contact.phone_number,
        locale=pick_locale(user.language_code, context.services.default_locale),
    )
    if result.outcome in (ContactOutcome.JOINED, ContactOutcome.ALREADY_JOINED):
        assert result.actor is not None
        scope.actor = result.actor
        await scope.commit()  # the link is saved before the person is told so
        await reply(update, welcome_text(result.actor), reply_markup=ReplyKeyboardRemove())
        await refresh_own_menu(context.bot, result.actor, context.services.default_locale)
        return
    texts = {
        ContactOutcome.NOT_OWN_CONTACT: _(
            "Only your own phone number counts. Please use the <b>Share my phone number</b> button below "
            "instead of sending someone's contact."
        ),
        ContactOutcome.BAD_PHONE: _("This phone number could not be read. Please use the button below."),
        ContactOutcome.NOT_ON_LIST: _(
            "Your phone number is not on any staff list yet. Ask your office to add it, or ask your unit "
            "head for an invite link."
        ),
        ContactOutcome.PHONE_TAKEN: _(
            "This phone number is already linked to another Telegram account. Please contact your office."
        ),
        ContactOutcome.LEFT: _("This phone number belongs to someone who has left the office."),
    }
    await reply(update, texts[result.outcome], reply_markup=contact_keyboard())


async def text_message(update: Update, context: BotContext) -> None:
    """Plain text in a private chat: a newcomer's full name, or a pointer to /help."""
    scope = current_scope()
    user = update.effective_user
    message = update.effective_message
    assert user is not None and message is not None
    if scope.actor is None:
        outcome = await joining.submit_name(
            scope.session, user=ChannelUser.telegram(user.id), raw_name=message.text or ""
        )
        if outcome is NameOutcome.SUBMITTED:
            scope.outbox_planned = True
            await scope.commit()
            await reply(update, _("Thank you. Your request has been sent to your unit head for approval."))
        elif outcome is NameOutcome.INVALID:
            await reply(
                update,
                _("Please type your full name in words, at least two of them (for example: Nguyễn Thị Lan)."),
            )
        else:
            await explain_joining(update)
        return
    await reply(update, _("I did not understand that. Type /help to see what you can do."))
