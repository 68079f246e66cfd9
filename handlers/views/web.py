"""/web: the one-time link to the person's own web page, whatever the channel."""

from __future__ import annotations

from html import escape

from handlers.i18n import _
from handlers.messages import Choice, OutMessage, row


def sign_in_link(link: str, *, mini_app: str | None = None) -> OutMessage:
    """`link` is PUBLIC_URL + /signin/<token>. No preview: a chat app that fetched it would be the first to
    open it (the sign-in GET is preview-safe, but a preview shows nothing worth the request).

    `mini_app` (PUBLIC_URL + /app, over HTTPS) adds a button that opens the pages inside the messenger,
    signed in by the messenger itself."""
    anchor = '<a href="{link}">{label}</a>'.format(link=escape(link, quote=True), label=_("your page"))
    choices = [row(Choice(_("Open my page"), url=link))]
    if mini_app is not None:
        choices.append(row(Choice(_("Open inside Telegram"), url=mini_app, in_app=True)))
    return OutMessage(
        _("Open {link} (works once, for 10 minutes).").format(link=anchor),
        choices=tuple(choices),
        link_preview=False,
    )
