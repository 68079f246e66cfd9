"""The official's own page ("Trang của tôi") and the language choice."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.office.officials import SUPPORTED_LOCALES
from compliance.office.officials import set_locale as save_locale
from compliance.office.web_access import safe_next_path
from handlers.commands import Access
from handlers.i18n import _
from handlers.web.context import LANGUAGE_COOKIE, WebContext, page
from handlers.web.errors import BadInput

YEAR_SECONDS = 365 * 24 * 3600


@page(access=Access.MEMBER)
async def my_page(context: WebContext) -> Response:
    return context.render("home.html", title=_("My page"))


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
