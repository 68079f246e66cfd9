"""The signer's PDF receipt, in the language they signed in, and /mypledge to have it again."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, Update

from compliance.office.officials import Actor
from compliance.pledge import signing as pledges
from compliance.pledge.receipts import issuer_names
from handlers.scope import current_scope
from handlers.telegram import render
from handlers.telegram.context import BotContext
from handlers.views import receipts as views
from storage.models import Unit
from storage.models_pledge import Signature


async def build_receipt(session: AsyncSession, signature: Signature) -> tuple[str, bytes]:
    facts = await pledges.receipt_facts(session, signature)
    office, unit = await issuer_names(session, signature.unit_id)
    return views.receipt_file(signature, facts, office, unit)


async def send_receipt(bot: Bot, session: AsyncSession, signature: Signature, *, chat_id: int) -> None:
    name, content = await build_receipt(session, signature)
    await render.send(bot, chat_id, views.receipt(signature, name, content))


async def _unit_signature(session: AsyncSession, actor: Actor) -> Signature | None:
    """A head's signature on behalf of their unit, for the version the unit follows now."""
    if not actor.is_head or actor.unit_id is None:
        return None
    version = await pledges.current_version(session, await session.get(Unit, actor.unit_id))
    if version is None:
        return None
    return await pledges.existing_signature(
        session, official_id=actor.id, version_id=version.id, on_behalf_of_unit=True
    )


async def my_pledge(update: Update, context: BotContext) -> None:
    """The person's own receipt; for a head, also the one they signed on behalf of their unit."""
    scope = current_scope()
    actor = scope.actor
    chat = update.effective_chat
    assert actor is not None and chat is not None
    personal = await pledges.latest_personal_signature(scope.session, actor.id)
    for_unit = await _unit_signature(scope.session, actor)
    if personal is None and for_unit is None:
        await render.answer(update, views.not_signed())
        return
    if for_unit is not None:
        note = views.signed_for_unit(actor.unit_name, for_unit.signed_at, personally_too=personal is not None)
        await render.answer(update, note)
    if personal is not None:
        await send_receipt(context.bot, scope.session, personal, chat_id=chat.id)
    if for_unit is not None:
        await send_receipt(context.bot, scope.session, for_unit, chat_id=chat.id)
