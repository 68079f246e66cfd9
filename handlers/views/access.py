"""Who may do what, said to the person: how a stranger joins, and the refusals of the gate and of buttons
whose object no longer allows it (the rules themselves are the gate's and the domain's)."""

from __future__ import annotations

from handlers.i18n import _
from handlers.messages import OutMessage


def explain_joining() -> OutMessage:
    return OutMessage(
        _(
            "Hello! This bot is for officials of offices that run the friendly-office pledge.\n\n"
            "To join, open /start and share your phone number: it must be on your office's staff list. "
            "If you are not on the list, ask your unit head or the office for an invite link."
        )
    )


def anonymous_admin() -> OutMessage:
    return OutMessage(
        _(
            "I cannot tell who you are: anonymous group admins cannot use my commands. Turn off "
            '"Remain anonymous" in your admin rights, or write to me in private.'
        )
    )


def stale_button() -> str:
    return _("This button is no longer valid.")


def not_allowed() -> str:
    return _("You are not allowed to do this.")


def admins_only() -> str:
    return _("Only administrators can do this.")


def managers_only() -> str:
    return _("Only unit heads and administrators can do this.")


def not_understood() -> OutMessage:
    return OutMessage(_("I did not understand that. Type /help to see what you can do."))


def cancelled() -> OutMessage:
    return OutMessage(_("Cancelled. Nothing was recorded."))
