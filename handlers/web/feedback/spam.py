"""The admins' spam review of citizens' ratings: /admin/ratings lists a period's ratings by point, with how
many came from each hashed address, and sets a rating (or one address's burst at a point) aside with a
reason, or restores it. Audited and reversible; nothing is deleted. Contacts are not shown here: spotting
spam needs none."""

from __future__ import annotations

from datetime import timedelta

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.feedback import spam as domain
from handlers.commands import Access
from handlers.i18n import _
from handlers.web.context import WebContext, int_param, is_number, page
from handlers.web.errors import NotFound
from storage.clock import utcnow
from storage.models_feedback import CitizenRating

PATH = "/admin/ratings"
PERIODS = (1, 7, 30, 90)  # days
DEFAULT_DAYS = 7
HASH_SHOWN = 10  # characters of the address hash: enough to tell addresses apart on one page


def period_names() -> dict[int, str]:
    return {
        1: _("Last 24 hours"),
        7: _("Last 7 days"),
        30: _("Last 30 days"),
        90: _("Last 90 days"),
    }


def _days(raw: str | None) -> int:
    return int(raw) if raw is not None and is_number(raw, 3) and int(raw) in PERIODS else DEFAULT_DAYS


async def _page(
    context: WebContext, *, days: int, point: int | None, errors: dict[str, str], status: int = 200
) -> Response:
    found = await domain.review(context.session, since=utcnow() - timedelta(days=days), point_id=point)
    return context.render(
        "feedback/spam.html",
        status=status,
        title=_("Ratings: spam review"),
        review=found,
        days=days,
        periods=period_names(),
        point=point,
        errors=errors,
        hash_shown=HASH_SHOWN,
        reason_longest=domain.REASON_LONGEST,
        done=context.request.query_params.get("done", ""),
    )


@page(access=Access.ADMIN)
async def review_page(context: WebContext) -> Response:
    params = context.request.query_params
    raw_point = params.get("point")
    point = int(raw_point) if raw_point and is_number(raw_point) else None
    return await _page(context, days=_days(params.get("days")), point=point, errors={})


async def _rating(context: WebContext) -> CitizenRating:
    rating = await context.session.get(CitizenRating, int_param(context.request.path_params["rating"]))
    if rating is None:
        raise NotFound()
    return rating


def _back(context: WebContext, done: str) -> str:
    days = _days(context.field("days"))
    return f"{PATH}?days={days}&done={done}#r"


@page(access=Access.ADMIN)
async def set_aside(context: WebContext) -> Response:
    rating = await _rating(context)
    days = _days(context.field("days"))
    if context.field("scope") == "address":
        chosen = await domain.ratings_from(
            context.session,
            point_id=rating.point_id,
            address_hash=rating.address_hash,
            since=utcnow() - timedelta(days=days),
        )
    else:
        chosen = [rating]
    try:
        await domain.set_aside(
            context.session, ratings=chosen, reason=context.field("reason"), actor=context.me, now=utcnow()
        )
    except domain.ReviewRefused:
        error = _("Write the reason (at most {n} characters).").format(n=domain.REASON_LONGEST)
        return await _page(context, days=days, point=None, errors={str(rating.id): error}, status=400)
    return context.redirect(_back(context, "aside"))


@page(access=Access.ADMIN)
async def restore(context: WebContext) -> Response:
    rating = await _rating(context)
    await domain.restore(context.session, rating=rating, actor=context.me)
    return context.redirect(_back(context, "restored"))


def routes() -> list[BaseRoute]:
    return [
        Route(PATH, review_page, methods=["GET"]),
        Route(PATH + "/{rating}/set-aside", set_aside, methods=["POST"]),
        Route(PATH + "/{rating}/restore", restore, methods=["POST"]),
    ]
