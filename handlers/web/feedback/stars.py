"""The star rating of units on the web (issue 16): the quarterly or yearly ranking with each figure's inputs
(heads: their subtree; admins: the office), its Excel, and the admins' page to enter the reform points and
the initiatives bonus per unit and quarter, with the history of each unit's entries, and to choose the
office's rubric among the files in content/rubrics/."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.content import ContentError
from compliance.feedback import star_scores
from compliance.feedback.rubric import Metric, Rubric, shipped_rubrics
from compliance.feedback.rubric_choice import office_rubric, office_rubric_code, set_office_rubric
from compliance.feedback.stars import Ranking, StarPeriod, quarter_of
from compliance.office.units import is_live, tree_sorted
from compliance.reports.dashboard import Kept
from compliance.reports.emulation_excel import stars_workbook
from compliance.reports.star_ranking import office_ranking, subtree
from compliance.text import ascii_slug
from handlers.commands import Access
from handlers.i18n import _, current_locale, fmt_number
from handlers.views import stars as views
from handlers.views.content_errors import content_error_text
from handlers.views.sources import source_line
from handlers.web.context import WebContext, int_param, page
from handlers.web.dashboard.board import query, scope_unit, today
from handlers.web.errors import BadInput, NotFound
from storage.models import Official, Unit

PATH = "/dashboard/stars"
ADMIN_PATH = "/admin/stars"
RUBRIC_PATH = ADMIN_PATH + "/rubric"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(raw: str | None, *, quarter_only: bool = False) -> StarPeriod:
    if not raw:
        return quarter_of(today())
    found = StarPeriod.parse(raw[:10])
    if found is None or (quarter_only and found.quarter is None) or not 2020 <= found.year <= 2100:
        raise BadInput(_("Unknown period."))
    return found


def period_choices(now: date) -> list[tuple[str, str]]:
    """This year's quarters begun and the year, then last year's year and quarters."""
    current = quarter_of(now)
    this_year = [StarPeriod(now.year, q) for q in range(current.quarter or 4, 0, -1)]
    last_year = [StarPeriod(now.year - 1, q) for q in (4, 3, 2, 1)]
    chosen = [*this_year, StarPeriod(now.year), StarPeriod(now.year - 1), *last_year]
    return [(p.key, views.star_period_text(p)) for p in chosen]


def _most_stars(rubric: Rubric) -> int:
    return rubric.thresholds[0].stars


async def _ranking(context: WebContext, root: Unit | None, period: StarPeriod) -> Kept[Ranking]:
    """The whole office's ranking as kept in the process for every reader (the chat's /report too; a
    province's quarter is seconds of work), filtered to the reader's subtree. A new admin entry makes a new
    key, so a saved score shows at once; other figures are as fresh as the time the page gives, or a
    refresh."""
    refresh = context.request.query_params.get("refresh") == "1"
    kept = await office_ranking(
        context.session,
        rubric=await office_rubric(context.session),
        period=period,
        today=today(),
        fresh=refresh,
    )
    return Kept(subtree(kept.value, root), kept.computed_at)


@page(access=Access.MANAGER)
async def ranking_page(context: WebContext) -> Response:
    params = context.request.query_params
    root = await scope_unit(context, params.get("unit"))
    period = _period(params.get("period"))
    kept = await _ranking(context, root, period)
    ranking = kept.value
    return context.render(
        "feedback/stars.html",
        title=_("Star rating of units"),
        ranking=ranking,
        units=ranking.ranked(),
        period=period,
        period_name=views.star_period_text(period),
        choices=period_choices(today()),
        unit_param=str(root.id) if root is not None else "",
        source=views.rubric_source(ranking.rubric),
        locale=current_locale(),
        most=_most_stars(ranking.rubric),
        stars_text=views.stars_text,
        inputs_text=views.inputs_text,
        fmt_points=_points_text,
        query=query,
        computed_at=kept.computed_at,
    )


def _points_text(value: float | None) -> str:
    return "—" if value is None else fmt_number(value)


@page(access=Access.MANAGER)
async def ranking_xlsx(context: WebContext) -> Response:
    params = context.request.query_params
    root = await scope_unit(context, params.get("unit"))
    period = _period(params.get("period"))
    ranking = (await _ranking(context, root, period)).value
    content = stars_workbook(ranking, views.excel_labels(period, ranking.rubric), current_locale())
    name = f"star-rating-{period.key}{'-' + ascii_slug(root.code, max_length=40) if root else ''}.xlsx"
    return Response(
        content=content,
        media_type=XLSX_TYPE,
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def _number(text: str) -> float | None:
    """ "47,5" or "47.5"; empty: None. Raises ValueError for anything else."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    if len(text) > 10 or not all(c.isascii() and (c.isdigit() or c in ".-") for c in text):
        raise ValueError(text)
    return float(text)


def _refusal_text(refused: star_scores.ScoreRefused) -> str:
    if refused.reason == star_scores.OUT_OF_RANGE:
        return _("Enter points from 0 to {n}.").format(n=fmt_number(refused.limit))
    if refused.reason == star_scores.NOTHING:
        return _("Enter the reform points, the initiatives bonus, or both.")
    if refused.reason == star_scores.NO_NOTE:
        return _("Say where the figure comes from.")
    if refused.reason == star_scores.NOTE_TOO_LONG:
        return _("The note is too long (at most {n} characters).").format(n=star_scores.NOTE_LONGEST)
    if refused.reason == star_scores.MERGED:
        return _("This unit was merged into another.")
    return _("Unknown period.")


def _rubric_choice_text(rubric: Rubric) -> str:
    """An option of the rubric select: its name and the document it follows, so the admin sees both."""
    line = source_line(rubric.source) or rubric.source.number or ""
    return _("{title} ({code}). {source}").format(
        title=rubric.title.get(current_locale()), code=rubric.code, source=line
    )


def _unusable_text(error: ContentError) -> str:
    return _("This rubric cannot be used: {problem}").format(
        problem=content_error_text(error, with_source=True)
    )


async def _rubric_choices(context: WebContext) -> dict[str, object]:
    """What the page's rubric form shows: the usable files to choose from, the unusable with their errors,
    and the office's choice (the code, even when its file has since become unreadable)."""
    shipped = shipped_rubrics()
    return {
        "rubric_code": await office_rubric_code(context.session),
        "rubric_options": [(f.code, _rubric_choice_text(f.rubric)) for f in shipped if f.rubric is not None],
        "rubric_unusable": [_unusable_text(f.error) for f in shipped if f.error is not None],
    }


async def _scores_page(
    context: WebContext,
    period: StarPeriod,
    *,
    unit_id: int | None,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    done: str = "",
) -> Response:
    session = context.session
    errors = dict(errors or {})
    status = 400 if errors else 200  # what the admin typed was refused; an unreadable file is no such thing
    rubric: Rubric | None = None
    try:
        rubric = await office_rubric(session)
    except ContentError as error:
        # The admin must still reach the page to choose another rubric; entering scores waits for one.
        errors.setdefault("rubric", _unusable_text(error))
    assert period.quarter is not None
    units = tree_sorted((await session.scalars(select(Unit).where(is_live()))).all())
    entries = await star_scores.current(session, year=period.year, quarters=[period.quarter])
    chosen = next((u for u in units if u.id == unit_id), None)
    if unit_id is not None and chosen is None:
        raise NotFound()
    history = []
    if chosen is not None:
        names = {o.id: o.full_name for o in (await session.scalars(select(Official))).all()}
        for entry in await star_scores.history(session, unit_id=chosen.id, year=period.year):
            if entry.quarter == period.quarter:
                history.append((entry, names.get(entry.entered_by_id or 0, "cli")))
    in_force = entries.get((chosen.id, period.quarter)) if chosen is not None else None
    if typed is None:
        typed = {
            "reform": "" if in_force is None or in_force.reform is None else f"{in_force.reform:g}",
            "initiatives": ""
            if in_force is None or in_force.initiatives is None
            else f"{in_force.initiatives:g}",
            "note": "",
        }
    reform = rubric.entered(Metric.ENTERED_REFORM) if rubric else None
    initiatives = rubric.entered(Metric.ENTERED_INITIATIVES) if rubric else None
    return context.render(
        "feedback/stars_scores.html",
        status=status,
        title=_("Star rating: scores entered by admins"),
        period=period,
        period_name=views.star_period_text(period),
        choices=[c for c in period_choices(today()) if "Q" in c[0]],
        units=[(u, entries.get((u.id, period.quarter))) for u in units],
        chosen=chosen if rubric is not None else None,
        history=history,
        typed=typed,
        errors=errors,
        done=done,
        reform_most=reform.points if reform is not None else 0,
        initiatives_most=initiatives.points if initiatives is not None else 0,
        source=views.rubric_source(rubric) if rubric is not None else "",
        fmt_points=_points_text,
        query=query,
        **await _rubric_choices(context),
    )


@page(access=Access.ADMIN)
async def scores_page(context: WebContext) -> Response:
    params = context.request.query_params
    period = _period(params.get("period"), quarter_only=True)
    raw = params.get("unit")
    unit_id = int_param(raw) if raw else None
    done = params.get("done", "")
    return await _scores_page(context, period, unit_id=unit_id, done=done if done in ("1", "rubric") else "")


@page(access=Access.ADMIN)
async def scores_save(context: WebContext) -> Response:
    period = _period(context.field("period"), quarter_only=True)
    assert period.quarter is not None
    unit = await context.session.get(Unit, int_param(context.field("unit")))
    if unit is None:
        raise NotFound()
    typed = {name: context.field(name)[:600] for name in ("reform", "initiatives", "note")}
    values: dict[str, float | None] = {}
    errors: dict[str, str] = {}
    for name in ("reform", "initiatives"):
        try:
            values[name] = _number(typed[name])
        except ValueError:
            errors[name] = _("Enter a number, e.g. 47.5.")
    try:
        rubric = await office_rubric(context.session)
    except ContentError as error:
        errors["rubric"] = _unusable_text(error)
    if not errors:
        try:
            await star_scores.enter_score(
                context.session,
                rubric=rubric,
                unit=unit,
                year=period.year,
                quarter=period.quarter,
                reform=values["reform"],
                initiatives=values["initiatives"],
                note=typed["note"],
                actor=context.me,
            )
        except star_scores.ScoreRefused as refused:
            errors[refused.field if refused.field in typed else "reform"] = _refusal_text(refused)
    if errors:
        return await _scores_page(context, period, unit_id=unit.id, errors=errors, typed=typed)
    return context.redirect(f"{ADMIN_PATH}?{query(period=period.key, unit=unit.id, done=1)}")


@page(access=Access.ADMIN)
async def rubric_save(context: WebContext) -> Response:
    """The office's choice of rubric; the page's period is kept so the admin returns where they were."""
    period = _period(context.field("period"), quarter_only=True)
    code = context.field("rubric")[:80]
    try:
        await set_office_rubric(context.session, code, actor=context.me)
    except ContentError as error:
        return await _scores_page(context, period, unit_id=None, errors={"rubric": _unusable_text(error)})
    return context.redirect(f"{ADMIN_PATH}?{query(period=period.key, done='rubric')}#rubric")


def routes() -> list[BaseRoute]:
    return [
        Route(PATH, ranking_page, methods=["GET"]),
        Route(PATH + ".xlsx", ranking_xlsx, methods=["GET"]),
        Route(ADMIN_PATH, scores_page, methods=["GET"]),
        Route(ADMIN_PATH, scores_save, methods=["POST"]),
        Route(RUBRIC_PATH, rubric_save, methods=["POST"]),
    ]
