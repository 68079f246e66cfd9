"""The signer's PDF receipt, in the language they signed in, and what /mypledge says around it."""

from __future__ import annotations

from datetime import datetime

from compliance.pledge import ledger
from compliance.pledge.receipts import ReceiptDocument, date_line, place_of, receipt_pdf
from compliance.pledge.signing import ReceiptFacts
from compliance.pledge.templates import canonical_text
from handlers.i18n import _, fmt_datetime, use_locale
from handlers.messages import Attachment, AttachmentKind, OutMessage, esc
from handlers.views.sources import source_line
from storage.clock import LOCAL_TZ
from storage.models_pledge import Signature


def receipt_file(
    signature: Signature, facts: ReceiptFacts, office: str | None, unit: str | None
) -> tuple[str, bytes]:
    """The receipt's file name (in the reader's language) and its PDF (in the signer's)."""
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
        if facts.year is not None:
            fields.append((_("Campaign"), _("Pledge of {year}").format(year=facts.year)))
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
            source=source_line(template.source),
        )
    # The file's name in the reader's language too; the bytes do not depend on it.
    name = _("pledge-{version}-{row}.pdf").format(version=facts.version.label, row=signature.id)
    return name, receipt_pdf(document)


def receipt(signature: Signature, name: str, content: bytes) -> OutMessage:
    caption = (
        _("Receipt of your signature on behalf of the unit, signed {date} (ledger entry no. {row}).")
        if signature.on_behalf_of_unit
        else _("Your pledge receipt, signed {date} (ledger entry no. {row}).")
    )
    return OutMessage(
        caption.format(date=fmt_datetime(signature.signed_at), row=signature.id),
        attachment=Attachment(AttachmentKind.DOCUMENT, file_name=name, data=content),
    )


def not_signed() -> OutMessage:
    return OutMessage(_("You have not signed a pledge yet. Type /pledge to read and sign it."))


def signed_for_unit(unit_name: str | None, signed_at: datetime, *, personally_too: bool) -> OutMessage:
    text = (
        _("You signed on behalf of <b>{unit}</b> on {date}, and for yourself as well.")
        if personally_too
        else _(
            "You signed on behalf of <b>{unit}</b> on {date}. You have not signed for yourself yet: "
            "type /pledge to sign personally."
        )
    )
    return OutMessage(text.format(unit=esc(unit_name or "—"), date=fmt_datetime(signed_at)))
