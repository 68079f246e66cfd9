"""The signer's PDF receipt, in the language they signed in, and /mypledge to have it again."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InputFile, Update

from compliance import pledges
from compliance.pledge_templates import canonical_text
from compliance.receipts import receipt_pdf
from handlers.context import BotContext, reply
from handlers.i18n import _, fmt_datetime, use_locale
from handlers.scope import current_scope
from storage.models_pledge import Signature


async def build_receipt(session: AsyncSession, signature: Signature) -> tuple[str, bytes]:
    facts = await pledges.receipt_facts(session, signature)
    template = facts.version.template
    with use_locale(signature.locale):
        fields = [
            (_("Name"), facts.full_name),
            (_("Title"), facts.title or "—"),
            (_("Unit"), facts.unit_name or "—"),
            (_("Pledge"), f"{template.title.get(signature.locale)} ({facts.version.label})"),
            (_("Signed at"), fmt_datetime(signature.signed_at) + " (Asia/Ho_Chi_Minh)"),
        ]
        if signature.on_behalf_of_unit:
            fields.append((_("Signed for"), _("the unit {unit}").format(unit=facts.unit_name or "—")))
        content = receipt_pdf(
            heading=_("PLEDGE RECEIPT"),
            fields=fields,
            pledge_text=canonical_text(template, signature.locale),
            signature_hash=_("Signature hash: {hash}").format(hash=signature.row_hash),
            footer=_(
                "This receipt is made from row {row} of the signature ledger. SHA-256 of the text above: "
                "{text_hash}. To verify: the office runs `python -m bot ledger verify`, or anyone recomputes "
                "the chain from `python -m bot ledger export` with the algorithm in the README."
            ).format(row=signature.id, text_hash=signature.text_sha256),
            signed_at=signature.signed_at,
        )
    return f"cam-ket-{facts.version.label}-{signature.id}.pdf", content


async def send_receipt(bot: Bot, session: AsyncSession, signature: Signature, *, chat_id: int) -> None:
    name, content = await build_receipt(session, signature)
    await bot.send_document(
        chat_id,
        InputFile(content, filename=name),
        caption=_("Your pledge receipt (signature {row}).").format(row=signature.id),
    )


async def my_pledge(update: Update, context: BotContext) -> None:
    scope = current_scope()
    assert scope.actor is not None
    signature = await pledges.latest_personal_signature(scope.session, scope.actor.id)
    chat = update.effective_chat
    if signature is None or chat is None:
        await reply(update, _("You have not signed a pledge yet. Type /pledge to read and sign it."))
        return
    await send_receipt(context.bot, scope.session, signature, chat_id=chat.id)
