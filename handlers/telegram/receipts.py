"""The signer's PDF receipt, in the language they signed in, and /mypledge to have it again."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InputFile, Update

from compliance.office.officials import Actor
from compliance.pledge import ledger
from compliance.pledge import signing as pledges
from compliance.pledge.receipts import ReceiptDocument, date_line, issuer_names, place_of, receipt_pdf
from compliance.pledge.templates import canonical_text
from handlers.i18n import _, fmt_datetime, use_locale
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram.context import BotContext, reply
from storage.clock import LOCAL_TZ
from storage.models import Unit
from storage.models_pledge import Signature


async def build_receipt(session: AsyncSession, signature: Signature) -> tuple[str, bytes]:
    facts = await pledges.receipt_facts(session, signature)
    office, unit = await issuer_names(session, signature.unit_id)
    template = facts.version.template
    locale = signature.locale
    code = ledger.verification_code(signature.row_hash)
    with use_locale(locale):
        fields = [
            (_("Name"), facts.full_name),
            (_("Title"), facts.title or "—"),
            (_("Unit"), facts.unit_name or "—"),
            (_("Signed at"), _("{time} (Viet Nam time)").format(time=fmt_datetime(signature.signed_at))),
        ]
        if signature.on_behalf_of_unit:
            fields.append((_("Signed for"), _("the unit {unit}").format(unit=facts.unit_name or "—")))
        document = ReceiptDocument(
            office=office,
            unit=unit,
            nation=_("SOCIALIST REPUBLIC OF VIET NAM"),
            motto=_("Independence - Freedom - Happiness"),
            place_date=date_line(signature.signed_at.astimezone(LOCAL_TZ).date(), locale, place_of(office)),
            title=_("PLEDGE RECEIPT"),
            fields=fields,
            pledge_text=canonical_text(template, locale),
            signer_heading=_("THE SIGNER"),
            signer_note=_("(signed in the chat by typing their full name)"),
            signer_name=signature.typed_name or facts.full_name,
            code_label=_("Verification code"),
            code=code,
            check_how=_(
                "A unit head or the office checks this receipt by sending /verify {code} to the bot: it "
                "finds the signature by this code and says whether the signature ledger still holds it "
                "unchanged."
            ).format(code=code),
            footer=_(
                "Signature {row} of the signature ledger. Signature hash (SHA-256): {hash}. SHA-256 of the "
                "pledge text: {text_hash}."
            ).format(row=signature.id, hash=signature.row_hash, text_hash=signature.text_sha256),
            signed_at=signature.signed_at,
        )
    # The file's name in the reader's language too; the bytes do not depend on it.
    name = _("pledge-{version}-{row}.pdf").format(version=facts.version.label, row=signature.id)
    return name, receipt_pdf(document)


async def send_receipt(bot: Bot, session: AsyncSession, signature: Signature, *, chat_id: int) -> None:
    name, content = await build_receipt(session, signature)
    caption = (
        _("Receipt of your signature on behalf of the unit, signed {date} (ledger entry no. {row}).")
        if signature.on_behalf_of_unit
        else _("Your pledge receipt, signed {date} (ledger entry no. {row}).")
    )
    await bot.send_document(
        chat_id,
        InputFile(content, filename=name),
        caption=caption.format(date=fmt_datetime(signature.signed_at), row=signature.id),
    )


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
        await reply(update, _("You have not signed a pledge yet. Type /pledge to read and sign it."))
        return
    if for_unit is not None:
        unit = esc(actor.unit_name or "—")
        when = fmt_datetime(for_unit.signed_at)
        text = (
            _("You signed on behalf of <b>{unit}</b> on {date}, and for yourself as well.")
            if personal is not None
            else _(
                "You signed on behalf of <b>{unit}</b> on {date}. You have not signed for yourself yet: "
                "type /pledge to sign personally."
            )
        )
        await reply(update, text.format(unit=unit, date=when))
    if personal is not None:
        await send_receipt(context.bot, scope.session, personal, chat_id=chat.id)
    if for_unit is not None:
        await send_receipt(context.bot, scope.session, for_unit, chat_id=chat.id)
