"""The official's own page ("Trang của tôi") and the language choice.

What it shows comes from the domain functions the chat uses: the pledge's standing (/pledge,
/mypledge), the newest self-check (/checkin), the quiz rounds, the plan updates not yet confirmed."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.broadcasts import received as inbox
from compliance.feedback.letters import may_write_letters
from compliance.office.officials import SUPPORTED_LOCALES
from compliance.office.officials import set_locale as save_locale
from compliance.office.web_access import safe_next_path
from compliance.practice import quiz_rounds
from compliance.practice import self_checks as practice
from handlers.commands import Access
from handlers.i18n import _, current_locale
from handlers.web.context import LANGUAGE_COOKIE, WebContext, page
from handlers.web.errors import BadInput
from handlers.web.official.pledge import standing

YEAR_SECONDS = 365 * 24 * 3600


@page(access=Access.MEMBER)
async def my_page(context: WebContext) -> Response:
    me = context.me
    state = await standing(context)
    check = await practice.current_selfcheck(context.session, official_id=me.id)
    rounds = await quiz_rounds.latest_rounds(context.session, official_id=me.id, limit=3)
    updates = await inbox.received(context.session, official_id=me.id)
    locale = current_locale()
    return context.render(
        "home.html",
        title=_("My page"),
        state=state,
        pledge_title=state.version.template.title.get(locale) if state.version else "",
        check=check,
        rounds=[(attempt, quiz_rounds.total_of(attempt)) for attempt in rounds],
        unconfirmed=[update for update in updates if update.requires_ack and update.acked_at is None],
        letters=await may_write_letters(context.session, me),
    )


@page(access=Access.ANYONE)
async def language(context: WebContext) -> Response:
    chosen = context.field("lang")
    if chosen not in SUPPORTED_LOCALES:
        raise BadInput(_("Unknown language."))
    if context.actor is not None:
        await save_locale(context.session, official_id=context.actor.id, locale=chosen)
    context.set_cookies.append((LANGUAGE_COOKIE, chosen, YEAR_SECONDS))
    return context.redirect(safe_next_path(context.field("next")))


def routes() -> list[BaseRoute]:
    return [
        Route("/", my_page, methods=["GET"]),
        Route("/language", language, methods=["POST"]),
    ]
