"""The privacy notice on the web: read and answer it (two buttons, neither chosen), see the consent
given, and withdraw it after a confirmation. Until a person consents, every other page leads here
(handlers.web.context)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.privacy import consent
from compliance.privacy.consent import Outcome
from compliance.privacy.notice import current_notice
from handlers.commands import Access
from handlers.i18n import _, current_locale
from handlers.views import consent as views
from handlers.web.context import SESSION_COOKIE, WebContext, page
from handlers.web.errors import BadInput

CHANNEL = "web"
NOTICE_PATH = "/consent"
WITHDRAW_PATH = "/consent/withdraw"


@page(access=Access.MEMBER)
async def notice_page(context: WebContext) -> Response:
    if context.request.method == "POST":
        return await _answered(context)
    return await _show(context)


async def _show(context: WebContext, *, stale: bool = False) -> Response:
    notice = current_notice()
    locale = current_locale()
    records = await consent.history(context.session, official_id=context.me.id)
    current = await consent.has_current(context.session, context.me.id)
    return context.render(
        "official/consent.html",
        title=notice.title.get(locale),
        notice=notice,
        parts=[part.get(locale) for part in notice.parts],
        version=views.version_label(notice.version),
        question=views.question(),
        agree=views.agree_label(),
        decline=views.decline_label(),
        current=current,
        records=[views.record_line(record) for record in records],
        stale=views.stale() if stale else None,
        source=notice.source.get(locale),
    )


async def _answered(context: WebContext) -> Response:
    answer, raw_version = context.field("answer"), context.field("version")
    if answer not in ("yes", "no") or not raw_version.isascii() or not raw_version.isdigit():
        raise BadInput(_("Choose “I agree” or “I do not agree”."))
    version = int(raw_version)
    if answer == "no":
        await consent.decline(context.session, actor=context.me, version=version, channel=CHANNEL)
        context.set_cookies.append((SESSION_COOKIE, "", 0))  # the session was revoked with the accounts
        return _ended(context, views.declined().text)
    outcome = await consent.give(context.session, actor=context.me, version=version, channel=CHANNEL)
    if outcome is Outcome.STALE:
        return await _show(context, stale=True)
    return context.redirect("/")


@page(access=Access.MEMBER)
async def withdraw_page(context: WebContext) -> Response:
    if context.request.method == "GET":
        return context.render(
            "official/consent_withdraw.html",
            title=_("Withdraw your consent"),
            text=views.confirm_withdraw().text,
        )
    stopped = await consent.withdraw(context.session, actor=context.me, channel=CHANNEL)
    if stopped.outcome is Outcome.NOTHING:
        return context.redirect(NOTICE_PATH)
    context.set_cookies.append((SESSION_COOKIE, "", 0))
    return _ended(context, views.withdrawn().text)


def _ended(context: WebContext, text: str) -> Response:
    """Said once the session is gone: the page is shown as to someone signed out."""
    context.actor = None
    context.session_token = None
    return context.render("official/consent_ended.html", title=_("Privacy notice"), text=text)


def routes() -> list[BaseRoute]:
    return [
        Route(NOTICE_PATH, notice_page, methods=["GET", "POST"]),
        Route(WITHDRAW_PATH, withdraw_page, methods=["GET", "POST"]),
    ]
