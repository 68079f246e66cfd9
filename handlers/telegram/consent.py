"""Consent on Telegram: the notice with its two buttons (shown by the gate until answered), the answer,
and /withdraw with its confirmation. Buttons carry the notice's version; the domain re-checks it."""

from __future__ import annotations

from telegram import Update

from compliance.privacy import consent
from compliance.privacy.consent import Outcome
from handlers.messages import OutMessage
from handlers.scope import current_scope
from handlers.telegram import render
from handlers.telegram.command_menus import refresh_own_menu
from handlers.telegram.context import BotContext
from handlers.views import access
from handlers.views import consent as views
from handlers.views import joining as joining_views

CHANNEL = "telegram"


async def show_notice(update: Update) -> None:
    await render.answer(update, views.notice())


async def answer(update: Update, context: BotContext) -> None:
    """cs:yes:<version> or cs:no:<version>, pressed under the notice."""
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    parts = (query.data or "").split(":")
    if len(parts) != 3 or parts[1] not in ("yes", "no") or not parts[2].isdigit():
        await query.answer(access.stale_button(), show_alert=True)
        return
    version = int(parts[2])
    if parts[1] == "no":
        await consent.decline(scope.session, actor=scope.actor, version=version, channel=CHANNEL)
        await scope.commit()  # unlinked before they are told so
        await query.answer()
        await render.answer(update, views.declined())
        return
    outcome = await consent.give(scope.session, actor=scope.actor, version=version, channel=CHANNEL)
    if outcome is Outcome.STALE:
        await _stale(update)
        return
    await scope.commit()
    await query.answer()
    await render.answer(update, OutMessage(views.given(version), edit=True))
    await render.answer(update, joining_views.welcome(scope.actor))
    await refresh_own_menu(context.bot, scope.actor, context.services.default_locale)


async def _stale(update: Update) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer(views.stale(), show_alert=True)
    await show_notice(update)


async def withdraw_command(update: Update, context: BotContext) -> None:
    await render.answer(update, views.confirm_withdraw())


async def withdraw_decision(update: Update, context: BotContext) -> None:
    scope = current_scope()
    query = update.callback_query
    assert query is not None and scope.actor is not None
    if query.data == "wd:no":
        await query.answer()
        await render.answer(update, views.withdraw_cancelled())
        return
    if query.data != "wd:ok":
        await query.answer(access.stale_button(), show_alert=True)
        return
    stopped = await consent.withdraw(scope.session, actor=scope.actor, channel=CHANNEL)
    await scope.commit()
    await query.answer()
    if stopped.outcome is Outcome.NOTHING:
        await render.answer(update, views.nothing_to_withdraw())
        return
    await render.answer(update, views.withdrawn())
