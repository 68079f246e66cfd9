"""The public rating page behind a desk's QR poster: GET/POST /r/<code>, open to anyone, no sign-in.

Vietnamese by default, English by a link (?lang=en, remembered in the language cookie); phone first and
without JavaScript. The questions follow the satisfaction surveys (SIPAS): overall satisfaction and the
official's attitude on five levels, the trips the dossier took, whether the papers were posted and the
progress could be looked up, whether anything was asked beyond the rules, then optional fields.

What keeps it honest (compliance.feedback.abuse): limits per address and per point a minute (kept in this
process, like the sign-in limiter: each replica counts its own, and a restart forgets), one rating per
device, point and day (a cookie, said on the page), a hidden field only robots fill, a signed timestamp in
the form that also proves the form came from here (the anonymous form's CSRF token) and must be a few
seconds old. A refused submission stores nothing and gets a polite page: 429 for the limits, 400 for the
rest. Answers that are wrong come back in the form, with each error at its field.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.feedback import abuse, ratings
from compliance.feedback.points import public_path
from compliance.feedback.public_desk import PublicDesk
from compliance.office.officials import SUPPORTED_LOCALES
from handlers.commands import Access
from handlers.i18n import _, set_locale
from handlers.web.auth import client_address
from handlers.web.context import LANGUAGE_COOKIE, WebContext, is_number, page
from handlers.web.errors import NotFound
from handlers.web.feedback.desk_cache import DeskCache
from handlers.web.feedback.questions import answer_errors, levels, yes_no_unknown
from handlers.web.feedback.rating_writer import RatingWriter
from handlers.web.security import AttemptLimiter
from storage.clock import LOCAL_TZ, utcnow

HONEYPOT = "website"  # a field a person never sees (hidden by feedback.css); robots fill every field
YEAR_SECONDS = 365 * 24 * 3600


def _limiters(request: Request) -> tuple[AttemptLimiter, AttemptLimiter]:
    """(per address, per point): made on first use, one pair per app (tests and replicas do not share)."""
    state = request.app.state
    found: tuple[AttemptLimiter, AttemptLimiter] | None = getattr(state, "rating_limiters", None)
    if found is None:
        config = state.config
        found = state.rating_limiters = (
            AttemptLimiter(limit=config.ratings_per_address_per_minute, window_seconds=60),
            AttemptLimiter(limit=config.ratings_per_point_per_minute, window_seconds=60),
        )
    return found


async def _key(context: WebContext) -> bytes:
    """The office's key, read from the database once per app."""
    state = context.request.app.state
    key: bytes | None = getattr(state, "feedback_key", None)
    if key is None:
        key = state.feedback_key = await abuse.address_key(context.session)
    return key


def _today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def _seconds_to_midnight() -> int:
    now = utcnow().astimezone(LOCAL_TZ)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), LOCAL_TZ)
    return max(int((midnight - now).total_seconds()) + 60, 60)


def _choose_language(context: WebContext) -> None:
    """?lang=en (or vi): this page in that language, and the choice remembered like the footer's."""
    chosen = context.request.query_params.get("lang")
    if chosen in SUPPORTED_LOCALES and chosen is not None:
        context.locale = chosen
        set_locale(chosen)
        context.set_cookies.append((LANGUAGE_COOKIE, chosen, YEAR_SECONDS))


def _desks(request: Request) -> DeskCache:
    state = request.app.state
    found: DeskCache | None = getattr(state, "rating_desks", None)
    if found is None:
        found = state.rating_desks = DeskCache(ttl=state.config.rating_desk_cache_seconds)
    return found


def _writer(request: Request) -> RatingWriter:
    state = request.app.state
    found: RatingWriter | None = getattr(state, "rating_writer", None)
    if found is None:
        found = state.rating_writer = RatingWriter(state.config.database)
    return found


def forget_desk(request: Request, code: str) -> None:
    """A point opened or closed on this process: its page says so at once."""
    _desks(request).forget(code)


async def _point(context: WebContext) -> PublicDesk:
    desk = await _desks(context.request).get(context.session, context.request.path_params["code"])
    if desk is None:
        raise NotFound(_("This rating page does not exist. Check the address on the poster."))
    return desk


def _refused(context: WebContext, point: PublicDesk, status: int, title: str, text: str) -> Response:
    # A closed point's form is not there to go back to.
    back = public_path(point.code) if point.active else None
    return context.render("feedback/public_refused.html", status=status, title=title, text=text, back=back)


async def _form(
    context: WebContext,
    point: PublicDesk,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    key = await _key(context)
    return context.render(
        "feedback/public.html",
        status=status,
        title=_("Rate our service"),
        point=point,
        action=public_path(point.code),
        token=abuse.form_token(key, point.code, time.time()),
        honeypot=HONEYPOT,
        levels=levels(),
        yes_no_unknown=yes_no_unknown(),
        staff=point.staff,
        values=values or {},
        errors=errors or {},
        comment_longest=ratings.COMMENT_LONGEST,
        dossier_longest=ratings.DOSSIER_LONGEST,
        contact_longest=ratings.CONTACT_LONGEST,
    )


@page(access=Access.ANYONE)
async def rating_form(context: WebContext) -> Response:
    _choose_language(context)
    point = await _point(context)
    if not point.active:
        return _refused(
            context,
            point,
            404,
            _("This desk no longer takes ratings"),
            _("This poster's rating page was closed by the office. Thank you for wanting to tell us."),
        )
    if point.code in abuse.rated_today(context.request.cookies.get(abuse.RATED_COOKIE), _today()):
        return context.render("feedback/public_thanks.html", title=_("Thank you!"), point=point, again=True)
    response = await _form(context, point)
    # The form carries a token signed for this moment: no shared cache may hand it to someone else.
    response.headers["cache-control"] = "no-store"
    return response


def _values(context: WebContext) -> dict[str, str]:
    """The answers as sent, to show them again (bounded: the page echoes them)."""
    names = (
        "overall", "attitude", "trips", "papers_posted", "progress_lookup", "asked_beyond_rules",
        "official_id", "contact_consent",
    )  # fmt: skip
    kept = {name: context.field(name)[:20] for name in names}
    kept["comment"] = context.field("comment")[: ratings.COMMENT_LONGEST * 2]
    kept["dossier_number"] = context.field("dossier_number")[:200]
    kept["contact"] = context.field("contact")[:200]
    return kept


def _choice(value: str, allowed: range) -> int:
    return int(value) if is_number(value, 2) and int(value) in allowed else 0


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def answers_of(values: dict[str, str], locale: str) -> ratings.RatingAnswers:
    official = values["official_id"]
    return ratings.RatingAnswers(
        overall=_choice(values["overall"], ratings.LEVELS),
        attitude=_choice(values["attitude"], ratings.LEVELS),
        trips=_choice(values["trips"], ratings.TRIPS),
        asked_beyond_rules=_yes_no(values["asked_beyond_rules"]),
        papers_posted=_yes_no(values["papers_posted"]),
        progress_lookup=_yes_no(values["progress_lookup"]),
        comment=values["comment"],
        dossier_number=values["dossier_number"],
        official_id=int(official) if is_number(official) else (-1 if official else None),
        contact=values["contact"],
        contact_consent=values["contact_consent"] == "1",
        locale=locale,
    )


def _robot_refusal(context: WebContext, point: PublicDesk, key: bytes) -> Response | None:
    title = _("Your rating could not be accepted")
    if context.field(HONEYPOT):
        return _refused(
            context, point, 400, title, _("Please reload the page, fill in the form again and send it.")
        )
    age = abuse.form_age(key, point.code, context.field("form_token"), time.time())
    if age is None:
        return _refused(
            context, point, 400, title, _("This form has expired. Reload the page and try again.")
        )
    if age < context.config.rating_min_fill_seconds:
        return _refused(
            context,
            point,
            400,
            title,
            _("The form was sent too quickly. Please read the questions and send it again."),
        )
    return None


def _limit_refusal(context: WebContext, point: PublicDesk) -> Response | None:
    title = _("Please wait a moment")
    by_address, by_point = _limiters(context.request)
    if not by_address.allow(client_address(context.request)):
        return _refused(
            context,
            point,
            429,
            title,
            _("Too many ratings were sent from this connection. Please try again in a minute."),
        )
    if not by_point.allow(point.code):
        return _refused(
            context,
            point,
            429,
            title,
            _("This desk is receiving many ratings right now. Please try again in a minute."),
        )
    return None


@page(access=Access.ANYONE)
async def send_rating(context: WebContext) -> Response:
    point = await _point(context)
    if not point.active:
        raise NotFound(
            _("This poster's rating page was closed by the office. Thank you for wanting to tell us.")
        )
    refusal = _limit_refusal(context, point)
    if refusal is not None:
        return refusal
    key = await _key(context)
    refusal = _robot_refusal(context, point, key)
    if refusal is not None:
        return refusal
    today = _today()
    rated = abuse.rated_today(context.request.cookies.get(abuse.RATED_COOKIE), today)
    if point.code in rated:
        return _refused(
            context,
            point,
            429,
            _("You already rated this desk today"),
            _(
                "Thank you! One rating per device and desk a day is kept: you can rate this desk again "
                "tomorrow."
            ),
        )
    values = _values(context)
    answers = answers_of(values, context.locale)
    try:
        # The page's own session may hold a connection (a point read afresh): handed back before waiting
        # for the writer, which needs one from the same pool.
        await context.session.commit()
        await _writer(context.request).record(
            ratings.NewRating(
                point=point,
                answers=answers,
                address_hash=abuse.address_hash(key, client_address(context.request)),
                now=utcnow(),
            )
        )
    except ratings.RatingRefused as exc:
        errors = answer_errors(exc.fields)
        return await _form(context, point, values=values, errors=errors, status=400)
    context.set_cookies.append(
        (abuse.RATED_COOKIE, abuse.rated_cookie(rated, point.code, today), _seconds_to_midnight())
    )
    return context.redirect(public_path(point.code) + "/thanks")


@page(access=Access.ANYONE)
async def thanks(context: WebContext) -> Response:
    point = await _point(context)
    return context.render("feedback/public_thanks.html", title=_("Thank you!"), point=point, again=False)


def routes() -> list[BaseRoute]:
    return [
        Route("/r/{code}", rating_form, methods=["GET"]),
        Route("/r/{code}", send_rating, methods=["POST"]),
        Route("/r/{code}/thanks", thanks, methods=["GET"]),
    ]
