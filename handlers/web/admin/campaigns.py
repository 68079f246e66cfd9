"""Signing deadlines on the web: the office's days to sign for new joiners, and the yearly signing
campaigns (open one for a year's plan, extend or close it), all through compliance.pledge.deadlines and
compliance.pledge.campaigns, audited there; a refusal shows beside its field and changes nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.office.units import get_unit_by_code
from compliance.pledge import campaigns, deadlines
from compliance.pledge import signing as pledges
from compliance.pledge.campaigns import CampaignError, CampaignProblem
from handlers.commands import Access
from handlers.i18n import _, current_locale, fmt_date
from handlers.views import campaigns as views
from handlers.web.context import WebContext, int_param, page
from storage.clock import local_today
from storage.models import Unit

MAX_CODES = 50


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


async def _show(
    context: WebContext,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    session = context.session
    today = local_today()
    names = {u.id: u.name for u in (await session.scalars(select(Unit))).all()}
    rows = []
    for c in await campaigns.list_campaigns(session):
        version = await pledges.version_by_id(session, c.pledge_version_id)
        scope = ", ".join(names.get(i, "?") for i in campaigns.scope_ids(c)) or _("the whole office")
        rows.append(
            {
                "id": c.id,
                "name": c.name,
                "year": c.year,
                "version": version.label if version else "?",
                "window": _("{start} to {end}").format(start=fmt_date(c.starts_on), end=fmt_date(c.ends_on)),
                "scope": scope,
                "state": views.state_text(c.starts_on, c.ends_on, c.closed_at is not None, today),
                "editable": c.closed_at is None,
            }
        )
    versions = [
        (v.id, f"{v.label} — {v.template.title.en if current_locale() == 'en' else v.template.title.vi}")
        for v in await pledges.list_versions(session)
    ]
    return context.render(
        "admin/campaigns.html",
        status=400 if errors else 200,
        title=_("Signing deadlines"),
        days=await deadlines.days_to_sign(session),
        min_days=deadlines.MIN_DAYS,
        max_days=deadlines.MAX_DAYS,
        campaigns=rows,
        versions=versions,
        errors=errors or {},
        typed=typed or {},
        done=done,
        next_year=today.year + 1,
    )


@page(access=Access.ADMIN)
async def campaigns_page(context: WebContext) -> Response:
    return await _show(context, done=context.request.query_params.get("done"))


@page(access=Access.ADMIN)
async def days_save(context: WebContext) -> Response:
    typed = context.field("days").strip()[:10]
    if not typed.isdigit() or not deadlines.MIN_DAYS <= int(typed) <= deadlines.MAX_DAYS:
        error = views.days_error(deadlines.MIN_DAYS, deadlines.MAX_DAYS)
        return await _show(context, errors={"days": error}, typed={"days": typed})
    await deadlines.set_days_to_sign(context.session, int(typed), actor=context.me)
    return context.redirect("/admin/campaigns?done=days")


async def _scope(context: WebContext, text: str, errors: dict[str, str]) -> list[int]:
    ids = []
    for code in [c.strip() for c in text.replace(";", ",").split(",") if c.strip()][:MAX_CODES]:
        unit = await get_unit_by_code(context.session, code[:40])
        if unit is None:
            errors["units"] = views.problem_text(CampaignProblem.UNKNOWN_UNIT) + f" ({code[:40]})"
            return []
        ids.append(unit.id)
    return ids


@page(access=Access.ADMIN)
async def campaign_open(context: WebContext) -> Response:
    fields = ("name", "year", "version", "starts_on", "ends_on", "units")
    typed = {f: context.field(f)[:300] for f in fields}
    errors: dict[str, str] = {}
    starts_on, ends_on = _day(typed["starts_on"]), _day(typed["ends_on"])
    if starts_on is None:
        errors["starts_on"] = _("Choose the first day.")
    if ends_on is None:
        errors["ends_on"] = _("Choose the last day.")
    year = typed["year"].strip()
    if not year.isdigit():
        errors["year"] = views.problem_text(CampaignProblem.BAD_YEAR)
    version = typed["version"].strip()
    if not version.isdigit():
        errors["version"] = views.problem_text(CampaignProblem.UNKNOWN_VERSION)
    unit_ids = await _scope(context, typed["units"], errors)
    if errors or starts_on is None or ends_on is None:
        return await _show(context, errors=errors, typed=typed)
    try:
        await campaigns.open_campaign(
            context.session,
            name=typed["name"],
            year=int(year),
            version_id=int(version),
            starts_on=starts_on,
            ends_on=ends_on,
            unit_ids=unit_ids,
            actor=context.me,
        )
    except CampaignError as error:
        field = {
            CampaignProblem.NO_NAME: "name",
            CampaignProblem.BAD_YEAR: "year",
            CampaignProblem.UNKNOWN_VERSION: "version",
            CampaignProblem.UNKNOWN_UNIT: "units",
        }.get(error.problem, "ends_on")
        return await _show(context, errors={field: views.problem_text(error.problem)}, typed=typed)
    return context.redirect("/admin/campaigns?done=opened")


@page(access=Access.ADMIN)
async def campaign_extend(context: WebContext) -> Response:
    campaign_id = int_param(context.request.path_params.get("campaign_id"))
    ends_on = _day(context.field("ends_on"))
    if ends_on is None:
        return await _show(context, errors={f"extend-{campaign_id}": _("Choose the last day.")})
    try:
        await campaigns.extend_campaign(
            context.session, campaign_id=campaign_id, ends_on=ends_on, actor=context.me
        )
    except CampaignError as error:
        return await _show(context, errors={f"extend-{campaign_id}": views.problem_text(error.problem)})
    return context.redirect("/admin/campaigns?done=extended")


@page(access=Access.ADMIN)
async def campaign_close(context: WebContext) -> Response:
    campaign_id = int_param(context.request.path_params.get("campaign_id"))
    try:
        await campaigns.close_campaign(context.session, campaign_id=campaign_id, actor=context.me)
    except CampaignError as error:
        return await _show(context, errors={f"extend-{campaign_id}": views.problem_text(error.problem)})
    return context.redirect("/admin/campaigns?done=closed")


def routes() -> list[BaseRoute]:
    return [
        Route("/admin/campaigns", campaigns_page, methods=["GET"]),
        Route("/admin/campaigns/days", days_save, methods=["POST"]),
        Route("/admin/campaigns/open", campaign_open, methods=["POST"]),
        Route("/admin/campaigns/{campaign_id}/extend", campaign_extend, methods=["POST"]),
        Route("/admin/campaigns/{campaign_id}/close", campaign_close, methods=["POST"]),
    ]
