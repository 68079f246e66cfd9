"""/invite: the link and its QR code; and what a decision on a join request says."""

from __future__ import annotations

from datetime import datetime

from handlers.i18n import _, fmt_datetime, fmt_number
from handlers.messages import Attachment, AttachmentKind, OutMessage, esc


def unit_not_found() -> OutMessage:
    return OutMessage(_("Unit not found. Usage: /invite [unit code] [days] [uses]"))


def not_your_unit() -> OutMessage:
    return OutMessage(_("You can only invite people to your own unit and the units below it."))


def bad_limits() -> OutMessage:
    return OutMessage(_("Days must be between 1 and 90 and uses between 1 and 1000."))


def invite_link(unit_name: str, link: str, expires_at: datetime, uses: int) -> OutMessage:
    return OutMessage(
        _("Invite link to <b>{unit}</b>:\n{link}\nValid until {until}, for {uses} people.").format(
            unit=esc(unit_name), link=esc(link), until=fmt_datetime(expires_at), uses=fmt_number(uses)
        )
    )


def invite_qr(unit_name: str, link: str, expires_at: datetime, png: bytes) -> OutMessage:
    """The same link as a QR code, to print on a notice or show from one phone to another."""
    return OutMessage(
        _("QR code of the invite link to <b>{unit}</b>, valid until {until}:\n{link}").format(
            unit=esc(unit_name[:200]), until=fmt_datetime(expires_at), link=esc(link)
        ),
        attachment=Attachment(AttachmentKind.PHOTO, file_name="invite-qr.png", data=png),
    )


def already_handled() -> str:
    return _("This request has already been handled.")


def decided(full_name: str | None, *, approved: bool) -> str:
    """The decision's line: the whole message, or the headline of a redrawn /pending list."""
    text = (
        _("✅ {name} was approved and has joined.")
        if approved
        else _("✖ The request of {name} was rejected.")
    )
    return text.format(name=esc(full_name or ""))
