"""What the bot says to what nothing else took (a file it does not read, a private command in a group),
and when a step fails."""

from __future__ import annotations

from handlers.i18n import _
from handlers.messages import OutMessage, esc


def unexpected_file(*, admin: bool, head: bool) -> OutMessage:
    """Which files are read and who sends them, for this person's role."""
    if admin:
        text = _(
            "I cannot use this file. Send the staff list as .xlsx or .csv, or a pledge template as .yaml. "
            "To attach a file to a plan update, start with /broadcast."
        )
    elif head:
        text = _(
            "I cannot use this file here. To send it with a plan update, start with /broadcast. "
            "Staff lists and pledge templates are sent by administrators."
        )
    else:
        text = _(
            "I do not read files from officials: staff lists and pledge templates are sent by "
            "administrators. Type /help to see what you can do."
        )
    return OutMessage(text)


def private_only(bot_username: str) -> OutMessage:
    return OutMessage(_("This command works in a private chat with me: @{bot}").format(bot=esc(bot_username)))


def failed(*, database_unavailable: bool) -> str:
    if database_unavailable:
        # Restarted, unreachable, or locked by a backup: the person did nothing wrong, and their step
        # was rolled back whole.
        return _(
            "The database is busy at the moment (a backup or a restart), so this step was not "
            "completed. Please try again in a minute."
        )
    return _(
        "Sorry, something went wrong and this step was not completed. Everything you had already "
        "confirmed is safe. Please try again in a moment."
    )
