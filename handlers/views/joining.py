"""/start, the shared phone number, invite links and the full name a newcomer types."""

from __future__ import annotations

from compliance.office.joining import ContactOutcome, InviteOutcome
from compliance.office.officials import Actor
from handlers.i18n import _
from handlers.messages import Keyboard, OutMessage, esc


def welcome_text(actor: Actor) -> str:
    if not actor.unit_name:  # an administrator from ADMIN_IDS belongs to no unit
        return _(
            "Welcome, <b>{name}</b>! You have joined Cam Kết Bot. Type /help to see what you can do."
        ).format(name=esc(actor.full_name))
    return _(
        "Welcome, <b>{name}</b> ({unit})! You have joined Cam Kết Bot. Type /help to see what you can do."
    ).format(name=esc(actor.full_name), unit=esc(actor.unit_name))


def welcome(actor: Actor, *, checklist: str | None = None) -> OutMessage:
    """A member's /start (an admin's with what is left to set up), or the end of joining: the phone
    keyboard goes."""
    text = welcome_text(actor)
    return OutMessage(f"{text}\n\n{checklist}" if checklist else text, keyboard=Keyboard.REMOVE)


def ask_phone() -> OutMessage:
    return OutMessage(
        _(
            "Welcome to Cam Kết Bot, the friendly-office pledge in your chat.\n\n"
            "To join, tap <b>Share my phone number</b> below. The number must be on your office's "
            "staff list. If it is not, ask your unit head for an invite link."
        ),
        keyboard=Keyboard.ASK_PHONE,
    )


def invite_outcome(outcome: InviteOutcome, unit_name: str | None) -> OutMessage:
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
    return OutMessage(texts[outcome].format(unit=esc(unit_name or "")))


def contact_refused(outcome: ContactOutcome) -> OutMessage:
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
    return OutMessage(texts[outcome], keyboard=Keyboard.ASK_PHONE)


def name_submitted() -> OutMessage:
    return OutMessage(_("Thank you. Your request has been sent to your unit head for approval."))


def name_invalid() -> OutMessage:
    return OutMessage(
        _("Please type your full name in words, at least two of them (for example: Nguyễn Thị Lan).")
    )
