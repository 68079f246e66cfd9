"""The star rating's texts for every channel: a period's name ("quý III/2026"), the stars, a measure's
inputs, the rubric's source line and the Excel's labels."""

from __future__ import annotations

from typing import Any

from compliance.content import ContentError
from compliance.feedback.rubric import Rubric, load_rubric
from compliance.feedback.stars import ROMAN, MeasureResult, StarPeriod
from compliance.reports.emulation_excel import StarsLabels
from handlers.i18n import _, current_locale, fmt_number
from handlers.messages import esc
from handlers.views.sources import source_line


def period_text(year: int, quarter: int | None) -> str:
    if quarter is None:
        return _("year {year}").format(year=year)
    return _("quarter {roman}/{year}").format(roman=ROMAN[quarter - 1], year=year)


def star_period_text(period: StarPeriod) -> str:
    return period_text(period.year, period.quarter)


def stars_text(stars: int, most: int = 4) -> str:
    """ "★★★☆": the stars earned of the most the rubric gives."""
    return "★" * stars + "☆" * max(most - stars, 0)


def rubric_source(rubric: Rubric) -> str:
    line = source_line(rubric.source) or rubric.source.number or rubric.code
    return _("Scoring rubric: {title}. {source}").format(
        title=rubric.title.get(current_locale()), source=line
    )


def inputs_text(result: MeasureResult) -> str:
    """How a measure's points came about, in words: "2 of 3 → 10" or "Q3: 40; Q4: 45 → 42.5"."""
    if result.entered:
        return "; ".join(
            _("Q{n}: {points}").format(n=q, points=fmt_number(value)) for q, value in result.entered
        )
    if result.whole:
        return _("{part} of {whole}").format(
            part=fmt_number(result.part or 0), whole=fmt_number(result.whole)
        )
    return _("no data")


def excel_labels(period: StarPeriod, rubric: Rubric) -> StarsLabels:
    return StarsLabels(
        title=_("Star rating of units, {period}").format(period=star_period_text(period)),
        source=rubric_source(rubric),
        unit=_("Unit"),
        code=_("Code"),
        level=_("Level in the tree"),
        inputs=_("{name}: inputs"),
        points=_("{name}: points"),
        total=_("Total points"),
        stars=_("Stars"),
        rank=_("Rank among peers"),
        no_data=_("no data"),
        quarter=_("Q{n}"),
    )


def stars_lines(payload: dict[str, Any]) -> list[str]:
    """A group's weekly post: the unit's stars of the last quarter and the rubric's source (escaped: the post
    is HTML); nothing for posts planned without them."""
    data = payload.get("stars")
    if not isinstance(data, dict):
        return []
    line = _("Star rating: {stars} {points}/{total}, {period}").format(
        stars=stars_text(int(data["stars"]), int(data.get("most", 4))),
        points=fmt_number(float(data["points"])),
        total=fmt_number(float(data["total"])),
        period=period_text(int(data["year"]), data.get("quarter")),
    )
    return [line, *_source_lines(data)]


def office_stars_lines(payload: dict[str, Any]) -> list[str]:
    """An admin's Monday summary: how many units of the office, every level, earned each number of stars
    in the last quarter ended, and the rubric's source; nothing for summaries planned without them."""
    data = payload.get("office_stars")
    if not isinstance(data, dict):
        return []
    most = int(data.get("most", 4))
    counts = ", ".join(
        f"{stars_text(int(stars), most)} {fmt_number(int(units))}" for stars, units in data["counts"]
    )
    line = _("Units by star rating, {period} (all levels): {counts}").format(
        period=period_text(int(data["year"]), data.get("quarter")), counts=counts
    )
    return [line, *_source_lines(data)]


def _source_lines(data: dict[str, Any]) -> list[str]:
    """The rubric's source (escaped: the messages are HTML); none when its file cannot be read any more."""
    try:
        source = rubric_source(load_rubric(str(data["rubric"])))
    except ContentError:
        return []
    return [esc(source)]
