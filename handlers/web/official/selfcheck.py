"""/selfcheck: this week's self-check as one form (the chat's /checkin, item by item): the same window,
the same late and change rules, through compliance.practice.self_checks."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.practice import schedules
from compliance.practice import self_checks as practice
from compliance.practice.self_checks import AnswerOutcome, NoteOutcome, SelfCheckView
from compliance.text import clean_text
from handlers.commands import Access
from handlers.i18n import _, current_locale, fmt_number, fmt_weekday
from handlers.views.practice import MARKS, answer_label
from handlers.web.context import WebContext, int_param, page
from handlers.web.errors import BadInput, NotFound
from storage.clock import utcnow


async def _opening(context: WebContext) -> str:
    """When the next self-check opens for this person (the office or their unit may have moved it)."""
    effective = (await schedules.load_schedules(context.session)).for_unit(context.me.unit_id)
    return _("It opens on {weekday} at {time}.").format(
        weekday=fmt_weekday(effective.selfcheck_open_weekday), time=effective.selfcheck_open_time
    )


def _show(
    context: WebContext, view: SelfCheckView | None, opening: str, *, status: int = 200, **values: object
) -> Response:
    locale = current_locale()
    return context.render(
        "official/selfcheck.html",
        status=status,
        title=_("Self-check"),
        view=view,
        opening=opening,
        editable=view is not None and view.editable(utcnow()),
        items=[(n, item.id, item.text.get(locale)) for n, item in enumerate(view.items)] if view else [],
        answers=[(answer, MARKS[answer], answer_label(answer)) for answer in practice.ANSWERS],
        pledge_title=(view.title_en if locale == "en" else view.title_vi) if view else "",
        note_limit=fmt_number(practice.MAX_NOTE),
        **values,
    )


@page(access=Access.MEMBER)
async def form(context: WebContext) -> Response:
    view = await practice.current_selfcheck(context.session, official_id=context.me.id)
    saved = context.request.query_params.get("saved")
    return _show(context, view, await _opening(context), saved=saved)


@page(access=Access.MEMBER)
async def submit(context: WebContext) -> Response:
    me = context.me
    check_id = int_param(context.field("check"))
    view = await practice.current_selfcheck(context.session, official_id=me.id)
    if view is None or view.id != check_id:
        # Another person's self-check, or a week that is no longer the current one: nothing to change.
        raise NotFound()
    if not view.editable(utcnow()):
        closed = _("This self-check is closed: its deadline has passed.")
        return _show(context, view, await _opening(context), status=409, error=closed)
    chosen: list[tuple[int, str]] = []
    for index, item in enumerate(view.items):
        answer = context.field(f"item-{index}")
        if answer and answer not in practice.ANSWERS:
            raise BadInput(_("The form could not be read. Reload the page and try again."))
        if answer and view.answers.get(item.id) != answer:
            chosen.append((index, answer))
    outcome = AnswerOutcome.SAVED
    for index, answer in chosen:
        result, _changed = await practice.answer_selfcheck(
            context.session, check_id=view.id, official_id=me.id, item_index=index, answer=answer
        )
        if result is AnswerOutcome.CLOSED:
            raise BadInput(_("This self-check is closed: its deadline has passed."))
        if result is AnswerOutcome.INVALID:
            raise NotFound()
        if result is AnswerOutcome.COMPLETED:
            outcome = result
    note = context.field("note")
    if clean_text(note) and clean_text(note) != (view.note or ""):
        noted = await practice.note_selfcheck(context.session, check_id=view.id, official_id=me.id, note=note)
        if noted is NoteOutcome.TOO_LONG:
            # The whole form is refused (the answers too, by the rollback): nothing half-saved.
            raise BadInput(
                _(
                    "Your note has {length} characters; a note can have at most {limit}. Nothing was saved."
                ).format(length=fmt_number(len(clean_text(note))), limit=fmt_number(practice.MAX_NOTE))
            )
        if noted is NoteOutcome.CLOSED:
            raise BadInput(_("This self-check is closed: its deadline has passed."))
    return context.redirect("/selfcheck?saved=" + ("done" if outcome is AnswerOutcome.COMPLETED else "1"))


def routes() -> list[BaseRoute]:
    return [
        Route("/selfcheck", form, methods=["GET"]),
        Route("/selfcheck", submit, methods=["POST"]),
    ]
