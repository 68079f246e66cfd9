"""The receipt as a picture (compliance.pledge.receipt_image), in the language the person signed in: what
Zalo shows after signing, beside the link to the PDF, since it carries no files."""

from __future__ import annotations

from compliance.pledge import ledger
from compliance.pledge.receipt_image import ReceiptCard
from compliance.pledge.signing import ReceiptFacts
from handlers.i18n import _, fmt_datetime, use_locale
from handlers.messages import Attachment, AttachmentKind, OutMessage
from storage.models_pledge import Signature


def receipt_card(signature: Signature, facts: ReceiptFacts, office: str | None) -> ReceiptCard:
    template = facts.version.template
    code = ledger.verification_code(signature.row_hash)
    with use_locale(signature.locale):
        fields = [
            (_("Name"), facts.full_name),
            (_("Unit"), facts.unit_name or "—"),
            (
                _("Pledge"),
                _("{title} (version {version})").format(
                    title=template.title.get(signature.locale), version=facts.version.label
                ),
            ),
            (_("Signed at"), _("{time} (Viet Nam time)").format(time=fmt_datetime(signature.signed_at))),
            (_("Ledger entry"), str(signature.id)),
        ]
        if facts.year is not None:
            fields.append((_("Campaign"), _("Pledge of {year}").format(year=facts.year)))
        if signature.on_behalf_of_unit:
            fields.append((_("Signed for"), _("the unit {unit}").format(unit=facts.unit_name or "—")))
        return ReceiptCard(
            heading=_("PLEDGE RECEIPT"),
            office=office,
            fields=fields,
            code_label=_("Verification code"),
            code=code,
            hash_label=_("Signature hash (SHA-256)"),
            row_hash=signature.row_hash,
            check_how=_(
                "A unit head or the office checks this receipt by sending /verify {code} to the bot: it "
                "finds the signature by this code and says whether the signature ledger still holds it "
                "unchanged."
            ).format(code=code),
        )


def receipt_picture(signature: Signature, png: bytes) -> OutMessage:
    """The picture (receipt_png of the card) with a short caption; its file name says which ledger row."""
    return OutMessage(
        _("Your receipt (ledger entry no. {row})").format(row=signature.id),
        attachment=Attachment(AttachmentKind.PHOTO, file_name=f"receipt-{signature.id}.png", data=png),
    )
