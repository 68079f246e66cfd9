"""The head's follow-up of a citizen's rating (/dashboard/ratings/<id>, the link of the head's notice): the
rating as the citizen gave it (the contact only if they consented), what was done so far, and a form to
record contacted / resolved / a note (audited). A head reaches the ratings of their unit and below, an
admin every one; any other rating is the same 404 as an unknown id."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.feedback import followup as domain
from handlers.commands import Access
from handlers.i18n import _
from handlers.views.satisfaction import answer_name, flag_reasons, level_name, trips_name
from handlers.web.context import WebContext, int_param, page
from handlers.web.errors import NotFound
from storage.models import Official, Unit
from storage.models_feedback import CitizenRating, ReceptionPoint

PATH = "/dashboard/ratings/{rating}"


def state_names() -> dict[str, str]:
    return {
        domain.NEW: _("Not followed up yet"),
        domain.CONTACTED: _("Followed up, not resolved"),
        domain.RESOLVED: _("Resolved"),
    }


def _refusal(reason: str) -> str:
    if reason == domain.TOO_LONG:
        return _("The note is too long (at most {n} characters).").format(n=domain.NOTE_LONGEST)
    return _("Tick what was done or write a note.")


async def _rating(context: WebContext) -> CitizenRating:
    rating = await domain.managed_rating(
        context.session, context.me, int_param(context.request.path_params["rating"])
    )
    if rating is None:
        raise NotFound()
    return rating


def _answers(rating: CitizenRating) -> list[tuple[str, str]]:
    payload = {
        "overall": rating.overall,
        "attitude": rating.attitude,
        "asked_beyond_rules": rating.asked_beyond_rules,
    }
    rows = [
        (_("Overall satisfaction"), level_name(rating.overall)),
        (_("Official's attitude"), level_name(rating.attitude)),
        (_("Trips for the dossier"), trips_name(rating.trips)),
        (_("Papers posted publicly"), answer_name(rating.papers_posted)),
        (_("Progress could be looked up"), answer_name(rating.progress_lookup)),
        (_("Asked for something beyond the rules"), answer_name(rating.asked_beyond_rules)),
    ]
    if rating.flagged:
        rows.append((_("Why it was flagged"), "; ".join(flag_reasons(payload))))
    return rows


async def _show(
    context: WebContext, rating: CitizenRating, *, error: str = "", notice: str = "", status: int = 200
) -> Response:
    session = context.session
    unit = await session.get(Unit, rating.unit_id)
    point = await session.get(ReceptionPoint, rating.point_id)
    on_duty = await session.get(Official, rating.official_id) if rating.official_id is not None else None
    entries = await domain.history(session, rating.id)
    last = entries[-1] if entries else None
    state = domain.NEW if last is None else (domain.RESOLVED if last.resolved else domain.CONTACTED)
    return context.render(
        "feedback/followup.html",
        status=status,
        title=_("Follow-up of a citizen's rating"),
        rating=rating,
        unit_name=unit.name if unit is not None else "",
        unit_id=rating.unit_id,
        desk=point.desk if point is not None else None,
        on_duty=on_duty.full_name if on_duty is not None else None,
        answers=_answers(rating),
        # Shown only with the citizen's consent (Luật 91/2025/QH15); the domain never stores one without.
        contact=rating.contact if rating.contact_consent else None,
        entries=entries,
        state=state_names()[state],
        resolved=state == domain.RESOLVED,
        error=error,
        notice=notice,
        note=context.field("note")[: domain.NOTE_LONGEST + 100],
        note_longest=domain.NOTE_LONGEST,
    )


@page(access=Access.MANAGER)
async def followup_page(context: WebContext) -> Response:
    rating = await _rating(context)
    notice = _("The follow-up is recorded.") if context.request.query_params.get("done") == "1" else ""
    return await _show(context, rating, notice=notice)


@page(access=Access.MANAGER)
async def record(context: WebContext) -> Response:
    rating = await _rating(context)
    try:
        await domain.record_follow_up(
            context.session,
            rating=rating,
            actor=context.me,
            contacted=context.field("contacted") == "1",
            resolved=context.field("resolved") == "1",
            note=context.field("note"),
        )
    except domain.FollowUpRefused as exc:
        return await _show(context, rating, error=_refusal(exc.reason), status=400)
    return context.redirect(PATH.format(rating=rating.id) + "?done=1")


def routes() -> list[BaseRoute]:
    return [
        Route(PATH, followup_page, methods=["GET"]),
        Route(PATH, record, methods=["POST"]),
    ]
