"""The person's own things: TOI (their card, as /me), NGON NGU (the language, numbered), WEB (a one-time
link to their pages) and DA NHAN (the newest plan update that asks for it, confirmed on their own copy
through compliance.broadcasts.received, the same acknowledgement as the chat's button and the web's)."""

from __future__ import annotations

import dataclasses

from compliance.broadcasts import received as inbox
from compliance.broadcasts.status import AckOutcome
from compliance.office import officials
from compliance.office.officials import SUPPORTED_LOCALES
from compliance.office.web_access import issue_link
from handlers.i18n import _, fmt_datetime, use_locale
from handlers.messages import OutMessage, echo
from handlers.views import profile as views
from handlers.views import web as web_views
from handlers.zalo.dialogs.base import Open, Replies, Turn, numbers

DIALOG = "language"


async def me(turn: Turn) -> Replies:
    return [views.details(turn.me)]


async def web(turn: Turn) -> Replies:
    token = await issue_link(turn.session, official_id=turn.me.id, issued_by="zalo")
    # The link is in the text; the shared view's button (a second copy of it) has no place on Zalo.
    return [dataclasses.replace(web_views.sign_in_link(turn.link(token)), choices=())]


async def language(turn: Turn) -> Replies:
    await turn.ask(DIALOG, "choose", codes=list(SUPPORTED_LOCALES))
    return [views.choose_language()]


async def language_chosen(turn: Turn, opened: Open) -> Replies:
    given = numbers(turn.text)
    codes = [str(code) for code in opened.data.get("codes", [])]
    if (
        given is None
        or len(given) != 1
        or not 1 <= given[0] <= len(codes)
        or codes[given[0] - 1] not in SUPPORTED_LOCALES
    ):
        return [OutMessage(views.unknown_language()), views.choose_language()]
    code = codes[given[0] - 1]
    await officials.set_locale(turn.session, official_id=turn.me.id, locale=code)
    await turn.close()
    with use_locale(code):  # said in the language just chosen
        return [dataclasses.replace(views.language_set(code), edit=False)]


async def acknowledge(turn: Turn) -> Replies:
    updates = await inbox.received(turn.session, official_id=turn.me.id)
    asking = [update for update in updates if update.requires_ack]
    waiting = [update for update in asking if update.acked_at is None]
    if not waiting:
        if asking:
            return [OutMessage(_("You have already confirmed every plan update sent to you."))]
        return [OutMessage(_("There is no plan update waiting for your confirmation."))]
    newest = waiting[0]  # received() lists the newest first
    result = await inbox.acknowledge_own_copy(turn.session, actor=turn.me, broadcast_id=newest.id)
    if result.outcome is AckOutcome.NOT_RECIPIENT:
        return [OutMessage(_("There is no plan update waiting for your confirmation."))]
    text = (
        _("✅ Confirmed as received: the plan update of {date}: “{text}”")
        if result.outcome is AckOutcome.RECORDED
        else _("You had already confirmed the plan update of {date}: “{text}”")
    )
    reply = text.format(date=fmt_datetime(newest.received_at), text=echo(" ".join(newest.text.split())))
    left = len(waiting) - 1
    if left:
        reply += "\n" + _("{n} more plan updates wait for your confirmation: type ĐÃ NHẬN again.").format(
            n=left
        )
    return [OutMessage(reply)]
