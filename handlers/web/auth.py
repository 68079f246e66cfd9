"""Signing in and out: one-time links from the chat, Telegram's Mini App, sign out (here or everywhere).

A link is opened in two steps: GET /signin/<token> puts the token in a short-lived cookie and redirects
to /signin (the token leaves the address bar and the history); the page there signs in with a POST, sent
by a script at once or by the button without JavaScript. Chat apps fetch the links they show to draw a
preview: that GET must not use up the link, so only the POST does.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from compliance.office.accounts import ChannelUser, find_official
from compliance.office.web_access import (
    LINK_LIFETIME,
    SESSION_LONGEST,
    open_for_official,
    redeem_link,
    sign_out,
    sign_out_everywhere,
)
from handlers.commands import Access
from handlers.i18n import _
from handlers.web.context import (
    MINI_APP_COOKIE,
    SESSION_COOKIE,
    WebContext,
    config_of,
    page,
    set_cookie,
)
from handlers.web.errors import BadInput, Refused
from handlers.web.miniapp import InitDataError, telegram_user_id
from handlers.web.security import MINI_APP_SCOPE_KEY

PENDING_COOKIE = "camket_signin"
SIGN_IN_PATH = "/signin"
LINK_SECONDS = int(LINK_LIFETIME.total_seconds())
SESSION_SECONDS = int(SESSION_LONGEST.total_seconds())


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limited(request: Request) -> bool:
    limiter = request.app.state.signin_limiter
    return not limiter.allow(client_address(request))


async def open_link(request: Request) -> Response:
    token = request.path_params["token"]
    response = RedirectResponse(SIGN_IN_PATH, status_code=303)
    set_cookie(response, config_of(request), PENDING_COOKIE, token[:100], LINK_SECONDS)
    response.headers["cache-control"] = "no-store"
    return response


@page(access=Access.ANYONE)
async def sign_in_page(context: WebContext) -> Response:
    pending = context.request.cookies.get(PENDING_COOKIE)
    if context.request.method == "GET":
        return context.render("signin.html", pending=bool(pending), title=_("Sign in"))
    if _limited(context.request):
        raise Refused(_("Too many sign-in attempts from this address. Wait a few minutes and try again."))
    opened = await redeem_link(context.session, token=pending or "")
    context.set_cookies.append((PENDING_COOKIE, "", 0))
    if opened is None:
        raise BadInput(
            _(
                "This sign-in link has expired or was already used. Send /web to the bot again for a new "
                "link; each link works once, for 10 minutes."
            ),
            title=_("This link no longer works"),
        )
    if context.session_token:
        # The browser's older session ends here rather than staying open with no cookie pointing to it.
        await sign_out(context.session, token=context.session_token)
    context.set_cookies.append((SESSION_COOKIE, opened.token, SESSION_SECONDS))
    context.set_cookies.append((MINI_APP_COOKIE, "", 0))
    return context.redirect(opened.next_path)


@page(access=Access.ANYONE)
async def mini_app(context: WebContext) -> Response:
    """Telegram opens this address as the Mini App; its script posts initData back to the same address."""
    if context.request.method == "GET":
        context.request.scope.setdefault("state", {})[MINI_APP_SCOPE_KEY] = True
        return context.render("miniapp.html", title=_("Sign in"))
    if _limited(context.request):
        raise Refused(_("Too many sign-in attempts from this address. Wait a few minutes and try again."))
    bot_token = context.config.telegram_token
    if bot_token is None:
        raise BadInput(_("Signing in from Telegram is not set up on this server."))
    try:
        user_id = telegram_user_id(context.field("init_data"), bot_token=bot_token)
    except InitDataError as exc:
        raise BadInput(
            _("Telegram's sign-in data could not be verified. Close the app and open it again.")
        ) from exc
    official = await find_official(context.session, ChannelUser.telegram(user_id))
    opened = (
        await open_for_official(context.session, official_id=official.id, opened_by="miniapp")
        if official is not None
        else None
    )
    if opened is None:
        raise BadInput(_("You have not joined the bot yet. Open the chat with the bot and send /start."))
    context.in_mini_app = True
    context.set_cookies.append((SESSION_COOKIE, opened.token, SESSION_SECONDS))
    context.set_cookies.append((MINI_APP_COOKIE, "1", SESSION_SECONDS))
    return context.redirect("/")


@page(access=Access.MEMBER)
async def sign_out_here(context: WebContext) -> Response:
    if context.session_token:
        await sign_out(context.session, token=context.session_token)
    context.set_cookies.append((SESSION_COOKIE, "", 0))
    return context.redirect("/signed-out")


@page(access=Access.MEMBER)
async def sign_out_all(context: WebContext) -> Response:
    await sign_out_everywhere(context.session, official_id=context.me.id)
    context.set_cookies.append((SESSION_COOKIE, "", 0))
    return context.redirect("/signed-out")


@page(access=Access.ANYONE)
async def signed_out(context: WebContext) -> Response:
    return context.render("signed_out.html", title=_("Signed out"))


def routes() -> list[BaseRoute]:
    return [
        Route("/signin/{token}", open_link, methods=["GET"]),
        Route(SIGN_IN_PATH, sign_in_page, methods=["GET", "POST"]),
        Route("/app", mini_app, methods=["GET", "POST"]),
        Route("/signout", sign_out_here, methods=["POST"]),
        Route("/signout-all", sign_out_all, methods=["POST"]),
        Route("/signed-out", signed_out, methods=["GET"]),
    ]
