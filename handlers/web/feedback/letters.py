"""Letters to citizens on the web (issue 16): the letters of the units one may write for, with their counts
for a period; a new apology slip or thank-you letter filled, previewed, then issued; each letter's PDF.

Under /letters, not /dashboard: a one-stop desk official (an official of a unit with an active reception
point) writes them too, and the dashboard is the heads'. Who may write for which unit is the domain's
(compliance/feedback/letters.py); another unit's letter is the same 404 as an unknown one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.content import ContentError
from compliance.feedback import letter_form as form_rules
from compliance.feedback import letters as domain
from compliance.feedback.letter_pdf import letter_pdf
from compliance.feedback.letter_templates import APOLOGY, LetterTemplate, current_templates, find_template
from compliance.practice.calendar import WorkCalendar, read_day
from compliance.text import ascii_slug
from handlers.commands import Access
from handlers.i18n import _
from handlers.web.context import WebContext, int_param, page
from handlers.web.errors import NotFound, PageError
from storage.clock import LOCAL_TZ, local_today, utcnow
from storage.models import Unit
from storage.models_letters import CitizenLetter

PATH = "/letters"
_T = TypeVar("_T")


def _labels() -> dict[str, str]:
    return {
        "citizen": _("Citizen's full name"),
        "dossier_type": _("Dossier (the procedure)"),
        "receipt_number": _("Receipt number"),
        "received_on": _("Received on (dd/mm/yyyy)"),
        "due_on": _("Result promised for (dd/mm/yyyy)"),
        "reason": _("Reason for the delay"),
        "new_date": _("New date for the result (dd/mm/yyyy)"),
        "thanks_for": _("Thanked for (e.g. “sending us your suggestions”)"),
        "place": _("Place of signing (e.g. Bình Lục)"),
        "signer_title": _("Signer's title"),
        "signer_name": _("Signer's full name"),
        "recipients": _("Recipients (one a line; empty: the citizen and the office's copy)"),
    }


def _problem(reason: str, name: str) -> str:
    texts = {
        form_rules.REQUIRED: _("Fill in this field."),
        form_rules.TOO_LONG: _("This is too long (at most {n} characters).").format(
            n=form_rules.LONGEST.get(name, 0)
        ),
        form_rules.NOT_A_DATE: _("Write the date as dd/mm/yyyy, e.g. 05/02/2027."),
        form_rules.NO_SUCH_DAY: _("There is no such day in the calendar."),
        form_rules.IN_FUTURE: _("This day has not come yet."),
        form_rules.BEFORE_RECEIVED: _(
            "The promised day cannot come before the day the dossier was received."
        ),
        form_rules.NOT_AFTER_TODAY: _("The new date must be after today."),
        form_rules.NOT_AFTER_DUE: _("The new date must be after the promised day."),
        form_rules.NOT_WORKING_DAY: _("The new date is not a working day."),
        form_rules.TOO_MANY_LINES: _("At most {n} lines.").format(n=form_rules.MAX_RECIPIENT_LINES),
    }
    return texts[reason]


def _kind_name(kind: str) -> str:
    return _("Apology and new date") if kind == APOLOGY else _("Thank-you letter")


def _period(context: WebContext) -> tuple[date, date]:
    """The period asked for in the address (from, to: days, both included), this month so far otherwise."""
    today = local_today()
    start, end = today.replace(day=1), today
    params = context.request.query_params
    for name in ("from", "to"):
        day = read_day(params.get(name, "")[:20], today=today)
        if isinstance(day, date):
            start, end = (day, end) if name == "from" else (start, day)
    return (start, end) if start <= end else (end, start)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time(), LOCAL_TZ),
        datetime.combine(end + timedelta(days=1), time(), LOCAL_TZ),
    )


@page(access=Access.MEMBER)
async def letters_page(context: WebContext) -> Response:
    units = await domain.issuable_units(context.session, context.me)
    if not units:
        raise NotFound(_("Letters to citizens are written by heads and by the officials of a one-stop desk."))
    start, end = _period(context)
    low, high = _bounds(start, end)
    counts = await domain.unit_letter_counts(
        context.session, unit_ids=[unit.id for unit in units], start=low, end=high
    )
    letters = await domain.letters_of(context.session, units=units, start=low, end=high)
    names = {unit.id: unit.name for unit in units}
    done = context.request.query_params.get("done", "")
    return context.render(
        "feedback/letters.html",
        title=_("Letters to citizens"),
        units=units,
        top_depth=min(unit.depth for unit in units),
        counts=counts,
        letters=letters,
        names=names,
        templates=_templates(current_templates),
        kind_name=_kind_name,
        start=form_rules.shown_date(start),
        end=form_rules.shown_date(end),
        done=int(done) if done.isascii() and done.isdigit() and len(done) < 12 else None,
    )


async def _unit_for(context: WebContext, raw: str) -> Unit:
    unit = await context.session.get(Unit, int_param(raw)) if raw else None
    if unit is None or not await domain.may_issue(context.session, context.me, unit):
        raise NotFound()
    return unit


def _templates(load: Callable[[], _T]) -> _T:
    """Templates are files an office may drop in: a broken one is named to the person, not a crash."""
    try:
        return load()
    except ContentError as exc:
        raise PageError(
            _("A letter template is not usable: {file}: {problem}. Tell the administrator.").format(
                file=exc.source, problem=exc.problem
            )
        ) from exc


def _template_for(code: str, version: str = "") -> LetterTemplate:
    """The code's newest version, or the one previewed (a new version published meanwhile does not change
    the letter the person read)."""
    number = int(version) if version.isascii() and version.isdigit() and len(version) < 6 else None
    template = _templates(lambda: find_template(code[:40], number)) if code else None
    if template is None:
        raise NotFound()
    return template


async def _form_page(
    context: WebContext,
    unit: Unit,
    template: LetterTemplate,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return context.render(
        "feedback/letters_form.html",
        status=status,
        title=_kind_name(template.kind),
        unit=unit,
        letter_template=template,
        fields=form_rules.form_fields(template.kind),
        labels=_labels(),
        values=values,
        errors=errors or {},
        longest=form_rules.LONGEST,
    )


@page(access=Access.MEMBER)
async def new_letter(context: WebContext) -> Response:
    params = context.request.query_params
    unit = await _unit_for(context, params.get("unit", ""))
    template = _template_for(params.get("template", ""))
    title, name = await domain.usual_signer(context.session, unit)
    values = {
        "place": await domain.last_place(context.session, unit),
        "signer_title": title,
        "signer_name": name,
    }
    return await _form_page(context, unit, template, values)


async def _checked(context: WebContext, template: LetterTemplate) -> form_rules.CheckedForm | dict[str, str]:
    raw = {name: context.field(name)[:2000] for name in form_rules.form_fields(template.kind)}
    today = local_today()
    calendar = None
    new = read_day(raw.get("new_date", ""), today=today)
    if isinstance(new, date) and today < new <= today + timedelta(days=366):
        calendar = await WorkCalendar.load(context.session, start=new, end=new)
    return form_rules.check_form(template.kind, raw, today=today, calendar=calendar)


@page(access=Access.MEMBER)
async def submit_letter(context: WebContext) -> Response:
    """One form, two buttons: "preview" shows the letter as it will print; "issue" numbers and logs it."""
    unit = await _unit_for(context, context.field("unit"))
    template = _template_for(context.field("template"), context.field("version"))
    typed = {name: context.field(name)[:2000] for name in form_rules.form_fields(template.kind)}
    if context.field("action") == "edit":
        return await _form_page(context, unit, template, typed)
    checked = await _checked(context, template)
    if isinstance(checked, dict):
        errors = {name: _problem(reason, name) for name, reason in checked.items()}
        return await _form_page(context, unit, template, typed, errors, status=400)
    if context.field("action") != "issue":
        parent, office = await domain.office_names(context.session, unit)
        facts = domain.facts_for(
            template, checked, parent=parent, office=office, number=None, day=local_today()
        )
        return context.render(
            "feedback/letters_preview.html",
            title=_("Preview"),
            unit=unit,
            letter_template=template,
            facts=facts,
            values=typed,
            fields=form_rules.form_fields(template.kind),
        )
    letter = await domain.issue_letter(
        context.session, unit=unit, template=template, form=checked, actor=context.me, now=utcnow()
    )
    return context.redirect(f"{PATH}?done={letter.id}")


@page(access=Access.MEMBER)
async def letter_file(context: WebContext) -> Response:
    letter = await context.session.get(CitizenLetter, int_param(context.request.path_params["letter"]))
    unit = await context.session.get(Unit, letter.unit_id) if letter is not None else None
    if letter is None or unit is None or not await domain.may_issue(context.session, context.me, unit):
        raise NotFound()
    content = await asyncio.to_thread(letter_pdf, domain.facts_of(letter))
    suffix = str(letter.fields.get("number_suffix", ""))
    unit_slug = ascii_slug(unit.name, max_length=40)
    name = f"{ascii_slug(suffix, max_length=12)}-{letter.year}-{letter.number}-{unit_slug}.pdf"
    return Response(
        content=content,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def routes() -> list[BaseRoute]:
    return [
        Route(PATH, letters_page, methods=["GET"]),
        Route(PATH + "/new", new_letter, methods=["GET"]),
        Route(PATH + "/new", submit_letter, methods=["POST"]),
        Route(PATH + "/{letter}/letter.pdf", letter_file, methods=["GET"]),
    ]
