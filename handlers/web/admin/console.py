"""The admins' console: the office's setup checklist with links to every admin page, and support's
sign-in link for any official."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.office.setup import checklist
from compliance.office.support_links import find_officials, issue_support_link
from handlers.commands import Access
from handlers.i18n import _
from handlers.views.admin import checklist_text
from handlers.web.context import WebContext, int_param, page
from handlers.web.errors import NotFound


def sections() -> list[tuple[str, str, str]]:
    """(path, title, what it does) of every admin page, in the console's order."""
    return [
        ("/admin/staff", _("Staff list"), _("Import the staff list from an Excel or CSV file.")),
        ("/admin/units", _("Units"), _("The unit tree: add, rename, move a unit, set its head.")),
        ("/admin/pledges", _("Pledge versions"), _("Upload a pledge template, preview it, publish it.")),
        ("/broadcasts", _("Plan updates"), _("Send a plan update and follow who has read it.")),
        ("/admin/calendar", _("Calendar"), _("Extra days off and make-up working days.")),
        ("/admin/schedules", _("Schedules"), _("Reminder, self-check and quiz days and times.")),
        (
            "/admin/campaigns",
            _("Signing deadlines"),
            _("Days to sign for new joiners; yearly signing campaigns."),
        ),
        ("/admin/audit", _("Audit log"), _("Who changed what, and when.")),
        ("/admin/export", _("Emulation export"), _("The emulation review workbook, by quarter or year.")),
        ("/admin/signin-link", _("Sign-in link"), _("A one-time sign-in link for an official (support).")),
        ("/admin/activation", _("Activation codes"), _("Codes to join on Zalo, as slips or a list.")),
        (
            "/admin/ratings",
            _("Spam review of citizens' ratings"),
            _("Ratings by reception point and connection; set aside spam, restore it."),
        ),
        (
            "/admin/stars",
            _("Star rating: scores entered by admins"),
            _("Administrative reform points and the initiatives bonus per unit and quarter."),
        ),
    ]


@page(access=Access.ADMIN)
async def console(context: WebContext) -> Response:
    state = await checklist(context.session)
    return context.render(
        "admin/console.html",
        title=_("Administration"),
        pending=checklist_text(state),
        sections=sections(),
    )


@page(access=Access.ADMIN)
async def signin_link(context: WebContext) -> Response:
    query = context.request.query_params.get("q", "")[:100]
    found = await find_officials(context.session, query) if query else []
    return context.render(
        "admin/signin_link.html", title=_("Sign-in link"), query=query, found=found, link=None
    )


@page(access=Access.ADMIN)
async def signin_link_issue(context: WebContext) -> Response:
    official_id = int_param(context.field("official"))
    token = await issue_support_link(context.session, admin=context.me, official_id=official_id)
    if token is None:
        raise NotFound()
    # Shown once, on this answer only: reloading does not re-issue, and the link is never in a URL.
    return context.render(
        "admin/signin_link.html",
        title=_("Sign-in link"),
        query="",
        found=[],
        link=context.config.link(f"/signin/{token}"),
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/admin", console, methods=["GET"]),
        Route("/admin/signin-link", signin_link, methods=["GET"]),
        Route("/admin/signin-link", signin_link_issue, methods=["POST"]),
    ]
