"""Activation codes on the web: an admin issues a unit's codes and takes them away as a PDF of slips or an
Excel list; an official gets their own code to add Zalo (the block on their page, "/").

A plain code exists only at the moment it is issued (the database keeps its hash), so the issuing POST
answers with the file itself: nothing to download again later, and a reload that re-posts issues new codes
for the same people (their previous ones stop working), never silently the same ones.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.office.activation import LIFETIME, CannotIssue, issue, issue_for_unit
from compliance.office.activation_sheet import SheetLabels, codes_pdf, codes_workbook
from compliance.office.units import get_unit_by_code, is_live, tree_sorted
from compliance.privacy import audit
from compliance.text import ascii_slug, clean_text
from handlers.commands import Access
from handlers.i18n import _, current_locale
from handlers.web.context import WebContext, is_number, page
from handlers.web.errors import NotFound
from storage.clock import utcnow
from storage.models import Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"pdf": "application/pdf", "xlsx": XLSX}
# The name people search for in Zalo until the admin types the one the office gave its bot.
DEFAULT_BOT_NAME = "Cam Kết Bot"


def steps(bot_name: str) -> tuple[str, ...]:
    """How to use a code, the same on the slip, in the list and on the official's page."""
    return (
        _("Open Zalo."),
        _("Search for the bot “{bot}” and open a chat with it.").format(bot=bot_name),
        _("Send the bot the activation code above."),
    )


def labels(bot_name: str) -> SheetLabels:
    return SheetLabels(
        title=_("Activation slip"),
        name=_("Full name"),
        unit=_("Unit"),
        code=_("Activation code"),
        expires=_("Valid until"),
        how=_("How to join"),
        steps=steps(bot_name),
        locale=current_locale(),
    )


async def _units(context: WebContext) -> list[tuple[str, str]]:
    """(code, name indented by depth) of every unit, as the tree is read."""
    units = tree_sorted((await context.session.scalars(select(Unit).where(is_live()))).all())
    return [(unit.code, "\u00a0\u00a0" * unit.depth + unit.name) for unit in units]


async def _form(
    context: WebContext, *, errors: dict[str, str] | None = None, notice: str = "", status: int = 200
) -> Response:
    form = context.form
    chosen = {
        "unit": context.field("unit")[:40],
        "code": context.field("code")[:40],
        "bot_name": context.field("bot_name", DEFAULT_BOT_NAME)[:100],
        "format": context.field("format", "pdf"),
        # Both boxes are ticked when the page is first shown; after a POST, as they were sent.
        "subunits": form is None or context.field("subunits") == "1",
        "not_joined": form is None or context.field("not_joined") == "1",
    }
    return context.render(
        "admin/activation.html",
        status=status,
        title=_("Activation codes"),
        units=await _units(context),
        chosen=chosen,
        errors=errors or {},
        notice=notice,
    )


@page(access=Access.ADMIN)
async def activation_page(context: WebContext) -> Response:
    return await _form(context)


@page(access=Access.ADMIN)
async def activation_issue(context: WebContext) -> Response:
    code = clean_text(context.field("code") or context.field("unit"))[:40]
    unit = await get_unit_by_code(context.session, code) if code else None
    bot_name = clean_text(context.field("bot_name"))[:100] or DEFAULT_BOT_NAME
    kind = context.field("format")
    errors: dict[str, str] = {}
    if unit is None:
        errors["unit"] = _("Choose a unit, or type its code.")
    if kind not in FORMATS:
        errors["format"] = _("Choose PDF or Excel.")
    if errors or unit is None:
        return await _form(context, errors=errors, status=400)
    subunits = context.field("subunits") == "1"
    not_joined = context.field("not_joined") == "1"
    issued = await issue_for_unit(
        context.session,
        unit_id=unit.id,
        issued_by_id=context.me.id,
        include_subunits=subunits,
        only_not_joined=not_joined,
        now=utcnow(),
    )
    if not issued:
        return await _form(context, notice=_("Nobody in this unit needs a code."))
    await audit.record(
        context.session,
        actor=context.me,
        action="activation.issue",
        subject=f"unit:{unit.id}",
        after={"count": len(issued), "include_subunits": subunits, "only_not_joined": not_joined},
    )
    office = await _office_name(context, unit)
    build = codes_pdf if kind == "pdf" else codes_workbook
    # Seconds of CPU for a large unit's slips: built off the event loop.
    content = await asyncio.to_thread(build, issued, labels(bot_name), office=office)
    name = f"activation-codes-{ascii_slug(unit.code, max_length=40)}.{kind}"
    return Response(
        content=content,
        media_type=FORMATS[kind],
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


async def _office_name(context: WebContext, unit: Unit) -> str:
    """The office at the top of the unit's tree: the slips' heading."""
    root = unit.path.strip("/").split("/")[0]
    if not is_number(root) or int(root) == unit.id:
        return unit.name
    top = await context.session.get(Unit, int(root))
    return top.name if top is not None else unit.name


# --- The official's own code (the block "Add Zalo" on "/": templates/home.html) ---


@page(access=Access.MEMBER)
async def my_code(context: WebContext) -> Response:
    now = utcnow()
    try:
        code = await issue(context.session, official_id=context.me.id, issued_by_id=context.me.id, now=now)
    except CannotIssue:
        raise NotFound() from None
    # Shown on this answer only (a reload asks again and gets a new code, the old one stops working).
    return context.render(
        "official/zalo_code.html",
        title=_("Add Zalo"),
        code=code,
        expires=now + LIFETIME,
        steps=steps(DEFAULT_BOT_NAME),
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/admin/activation", activation_page, methods=["GET"]),
        Route("/admin/activation", activation_issue, methods=["POST"]),
        Route("/zalo-code", my_code, methods=["POST"]),
    ]
