"""One unit of work per request: the session cookie → the official, their locale, the role check, CSRF.

Every page is an `async (WebContext) -> Response` wrapped by `page(access=…)`. The transaction commits when
the page returns and rolls back when it raises, as the chat's unit of work does; authorization is the
domain's (the same Access levels as the chat's command table), and a page that shows a unit or a person
checks in the database that this person may see it, whatever the URL says.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import Message, Receive

from compliance.office.officials import Actor, pick_locale
from compliance.office.web_access import signed_in
from compliance.privacy import consent
from handlers.commands import Access, access_of
from handlers.i18n import _, set_locale
from handlers.web.config import WebConfig
from handlers.web.errors import BadInput, NotFound, PageError, Refused, SignInNeeded, TooLarge
from handlers.web.security import MINI_APP_SCOPE_KEY, csrf_ok, csrf_token

log = logging.getLogger("handlers.web")

# A stranger's forms (the language choice, signing in, the Mini App's initData) are a few hundred bytes:
# their body is capped far below the upload limit, so nobody unsigned can make the process spool megabytes.
STRANGER_FORM_LIMIT = 64 * 1024

# Where a signed-in person without a current consent is sent, and the pages they may still open there.
CONSENT_PATH = "/consent"
WITHOUT_CONSENT = frozenset({CONSENT_PATH, "/signout", "/signout-all"})

SESSION_COOKIE = "camket_session"
LANGUAGE_COOKIE = "camket_lang"
MINI_APP_COOKIE = "camket_miniapp"


def config_of(request: Request) -> WebConfig:
    config: WebConfig = request.app.state.config
    return config


@dataclass
class WebContext:
    request: Request
    session: AsyncSession
    config: WebConfig
    actor: Actor | None
    session_token: str | None
    locale: str
    form: FormData | None = None
    # Cookies to set on the response the page returns (a language choice, a sign-out).
    set_cookies: list[tuple[str, str, int]] = field(default_factory=list)
    # Inside Telegram's Mini App frame (web.telegram.org): the cookies must cross sites to come back.
    in_mini_app: bool = False

    @property
    def me(self) -> Actor:
        """The signed-in official (pages with Access above ANYONE are only called with one)."""
        assert self.actor is not None
        return self.actor

    @property
    def csrf(self) -> str:
        return csrf_token(self.session_token) if self.session_token else ""

    @property
    def access(self) -> Access:
        return access_of(self.actor.role if self.actor else None)

    def field(self, name: str, default: str = "") -> str:
        """A form field as text (NFC and stripping are the domain's, where the value is used)."""
        if self.form is None:
            return default
        value = self.form.get(name)
        return value if isinstance(value, str) else default

    def upload(self, name: str) -> UploadFile | None:
        value = self.form.get(name) if self.form is not None else None
        return value if isinstance(value, UploadFile) and value.filename else None

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        env = self.request.app.state.templates
        html = env.get_template(template).render(
            request=self.request,
            me=self.actor,
            access=self.access,
            Access=Access,
            csrf=self.csrf,
            lang=self.locale,
            path=self.request.url.path,
            **values,
        )
        return HTMLResponse(html, status_code=status)

    def redirect(self, path: str) -> RedirectResponse:
        """After a POST: 303, so reloading the page does not send the form again."""
        return RedirectResponse(path, status_code=303)


Page = Callable[[WebContext], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def _locale_for(request: Request, actor: Actor | None, default: str) -> str:
    if actor is not None and actor.locale:
        return actor.locale
    return pick_locale(request.cookies.get(LANGUAGE_COOKIE), default)


def is_number(value: str, longest: int = 12) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses (a 500, not a 404)."""
    return 0 < len(value) <= longest and value.isascii() and value.isdigit()


def _capped(receive: Receive, limit: int) -> Receive:
    """The request's body as it arrives, refused once it passes `limit` bytes. Content-Length alone does not
    bound it: a chunked body declares no length, and Starlette spools file parts of any size to disk
    (max_part_size caps only the text fields)."""
    received = 0

    async def receive_capped() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise TooLarge(_("The file is too large."))
        return message

    return receive_capped


async def _read_form(request: Request, limit: int) -> FormData:
    declared = request.headers.get("content-length")
    if declared is not None and is_number(declared, 20) and int(declared) > limit:
        raise TooLarge(_("The file is too large."))
    capped = Request(request.scope, _capped(request.receive, limit))
    try:
        return await capped.form(max_files=5, max_fields=5000, max_part_size=limit)
    except TooLarge:
        raise
    except Exception as exc:  # multipart's own errors: a malformed or oversized body
        raise BadInput(_("The form could not be read. Reload the page and try again.")) from exc


def page(access: Access = Access.MEMBER) -> Callable[[Page], Endpoint]:
    def wrap(handler: Page) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            config = config_of(request)
            token = request.cookies.get(SESSION_COOKIE)
            in_mini_app = bool(request.cookies.get(MINI_APP_COOKIE))
            if in_mini_app:
                request.scope.setdefault("state", {})[MINI_APP_SCOPE_KEY] = True
            async with config.database.unit_of_work() as session:
                who = await signed_in(session, token=token) if token else None
                actor = who.actor if who else None
                locale = _locale_for(request, actor, config.default_locale)
                set_locale(locale)
                context = WebContext(request, session, config, actor, token if who else None, locale)
                context.in_mini_app = in_mini_app
                try:
                    response = await _answer(context, handler, access)
                except PageError as exc:
                    await session.rollback()
                    response = error_page(context, exc)
            if request.method == "POST" and response.status_code < 400 and config.wake_outbox is not None:
                config.wake_outbox()
            for name, value, max_age in context.set_cookies:
                set_cookie(response, config, name, value, max_age, cross_site=context.in_mini_app)
            if actor is not None or access > Access.ANYONE:
                response.headers.setdefault("cache-control", "no-store")
            return response

        return endpoint

    return wrap


async def _answer(context: WebContext, handler: Page, access: Access) -> Response:
    if access > Access.ANYONE and context.actor is None:
        raise SignInNeeded()
    if context.access < access:
        raise Refused()
    if (
        access > Access.ANYONE
        and context.request.url.path not in WITHOUT_CONSENT
        and not await consent.has_current(context.session, context.me.id)
    ):
        # Nothing is processed before the person answers the privacy notice (Luật 91/2025/QH15).
        return RedirectResponse(CONSENT_PATH, status_code=303)
    request = context.request
    if request.method == "POST":
        limit = context.config.upload_limit if context.actor is not None else STRANGER_FORM_LIMIT
        context.form = await _read_form(request, min(limit, context.config.upload_limit))
        # Pages open to strangers (the language choice) take no CSRF token: there is no session to ride.
        if context.session_token is not None and not csrf_ok(context.session_token, context.form.get("csrf")):
            raise Refused(_("This form has expired. Reload the page and try again."))
    return await handler(context)


def error_page(context: WebContext, error: PageError) -> HTMLResponse:
    if isinstance(error, SignInNeeded):
        title = _("Please sign in")
        text = _(
            "This page needs you to sign in. Send /web to the bot in your chat (Telegram or Zalo) and open "
            "the link it gives you; the link works once, for 10 minutes."
        )
    elif isinstance(error, NotFound):
        title = _("Page not found")
        text = error.message or _("This page does not exist, or it is not yours to see.")
    elif isinstance(error, Refused):
        title = _("Not allowed")
        text = error.message or _("Your role does not allow this page.")
    else:
        title = _("Something is wrong")
        text = error.message or _("The request could not be handled.")
    return context.render("error.html", status=error.status, title=error.title or title, text=text)


def set_cookie(
    response: Response, config: WebConfig, name: str, value: str, max_age: int, *, cross_site: bool = False
) -> None:
    """HttpOnly and SameSite=Lax; inside the Mini App's frame on web.telegram.org (a third-party context)
    SameSite=None and Partitioned instead, which browsers accept over HTTPS only: the CSRF token still
    guards every form."""
    third_party = cross_site and config.secure_cookies
    if max_age <= 0:
        response.delete_cookie(
            name,
            path="/",
            secure=config.secure_cookies,
            httponly=True,
            samesite="none" if third_party else "lax",
        )
        return
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=config.secure_cookies,
        httponly=True,
        samesite="none" if third_party else "lax",
    )
    if third_party:
        # Starlette writes Partitioned on Python 3.14 only; the attribute is appended to the header here.
        name_bytes, header = response.raw_headers[-1]
        response.raw_headers[-1] = (name_bytes, header + b"; Partitioned")


def int_param(value: str | None) -> int:
    """An id from a URL or a form: a wrong one is a page not found, never an error of the server."""
    if value is None or not is_number(value):
        raise NotFound()
    return int(value)
