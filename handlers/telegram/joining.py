"""/start, the shared phone number, invite links and the full name a newcomer types."""

from __future__ import annotations

from telegram import Update

from compliance.office import joining
from compliance.office.accounts import ChannelUser
from compliance.office.joining import ContactOutcome, NameOutcome
from compliance.office.officials import pick_locale
from compliance.privacy import consent
from handlers.messages import Keyboard, OutMessage
from handlers.scope import current_scope
from handlers.telegram import render
from handlers.telegram.command_menus import refresh_own_menu
from handlers.telegram.context import BotContext
from handlers.telegram.gate import explain_joining
from handlers.telegram.office_setup import admin_checklist
from handlers.views import access
from handlers.views import consent as consent_views
from handlers.views import joining as views


async def start(update: Update, context: BotContext) -> None:
    scope = current_scope()
    user = update.effective_user
    assert user is not None
    if context.args:
        await _start_with_invite(update, context, context.args[0])
        return
    if scope.actor is not None:
        pending = await admin_checklist(scope.session) if scope.actor.is_admin else None
        await render.answer(update, views.welcome(scope.actor, checklist=pending))
        await refresh_own_menu(context.bot, scope.actor, context.services.default_locale)
        return
    await render.answer(update, views.ask_phone())


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
    await render.answer(update, views.invite_outcome(result.outcome, result.unit_name))


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
        if not await consent.has_current(scope.session, result.actor.id):
            # Linked, and nothing else yet: the privacy notice comes before anything is processed.
            await render.answer(update, OutMessage(consent_views.linked_text(), keyboard=Keyboard.REMOVE))
            await render.answer(update, consent_views.notice())
            return
        await render.answer(update, views.welcome(result.actor))
        await refresh_own_menu(context.bot, result.actor, context.services.default_locale)
        return
    await render.answer(update, views.contact_refused(result.outcome))


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
            await render.answer(update, views.name_submitted())
        elif outcome is NameOutcome.INVALID:
            await render.answer(update, views.name_invalid())
        else:
            await explain_joining(update)
        return
    await render.answer(update, access.not_understood())
