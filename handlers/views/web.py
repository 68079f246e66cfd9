"""/web: the one-time link to the person's own web page, whatever the channel."""

from __future__ import annotations

from html import escape

from handlers.i18n import _
from handlers.messages import Choice, OutMessage, row


def sign_in_link(link: str) -> OutMessage:
    """`link` is PUBLIC_URL + /signin/<token>. No preview: a chat app that fetched it would be the first to
    open it (the sign-in GET is preview-safe, but a preview shows nothing worth the request)."""
    anchor = '<a href="{link}">{label}</a>'.format(link=escape(link, quote=True), label=_("your page"))
    return OutMessage(
        _("Open {link} (works once, for 10 minutes).").format(link=anchor),
        choices=(row(Choice(_("Open my page"), url=link)),),
        link_preview=False,
    )
