"""The star rating's Excel (issue 16): one row per unit, each criterion's inputs and points, the total, the
stars and the rank among the unit's peers; the rubric's source in the header. Texts come translated from
the caller (the handlers): the domain writes values only."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from compliance.feedback.rubric import Rubric
from compliance.feedback.stars import MeasureResult, Ranking, UnitStars

HEADER_ROW = 4  # title, period, source, then the columns' header


@dataclass(frozen=True)
class StarsLabels:
    title: str  # "Xếp hạng sao … – quý IV/2026"
    source: str  # the rubric's source line
    unit: str
    code: str
    level: str  # the unit's depth in the tree: peers share it
    inputs: str  # "{name}: inputs" with {name} the measure's
    points: str  # "{name}: points" with {name} the criterion's or the measure's
    total: str
    stars: str
    rank: str  # "Rank among peers"
    no_data: str
    quarter: str  # "Q{n}" for an entered figure's quarter


def _inputs(result: MeasureResult, labels: StarsLabels) -> str:
    if result.entered:
        return "; ".join(f"{labels.quarter.format(n=q)}: {value:g}" for q, value in result.entered)
    if result.whole:
        return f"{result.part}/{result.whole}"
    return labels.no_data


def stars_header(rubric: Rubric, labels: StarsLabels, locale: str) -> list[str]:
    """The columns of stars_row: the rank, the unit, each measure's inputs and points, each criterion's
    points, the total and the stars (shared by this workbook and the report's "Stars" sheet)."""
    header = [labels.rank, "/", labels.unit, labels.code, labels.level]
    for criterion in rubric.criteria:
        for measure in criterion.measures:
            name = measure.name.get(locale)
            header += [labels.inputs.format(name=name), labels.points.format(name=name)]
        header.append(labels.points.format(name=criterion.name.get(locale)))
    return [*header, labels.total, labels.stars, "★"]


def stars_row(unit: UnitStars, labels: StarsLabels) -> list[Any]:
    cells: list[Any] = [unit.rank, unit.peers, unit.name, unit.code, unit.depth]
    for criterion in unit.criteria:
        for result in criterion.measures:
            cells += [_inputs(result, labels), result.points]
        cells.append(criterion.points)
    cells += [unit.total, unit.stars, "★" * unit.stars]
    return cells


def stars_workbook(ranking: Ranking, labels: StarsLabels, locale: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Xep hang sao" if locale == "vi" else "Star rating"
    sheet.append([labels.title])
    sheet.append([labels.source])
    sheet.append([])
    header = stars_header(ranking.rubric, labels, locale)
    sheet.append(header)
    for unit in ranking.ranked():
        sheet.append(stars_row(unit, labels))
    sheet["A1"].font = Font(bold=True, size=13)
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for n in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(n)].width = 30 if n == 3 else 14
    sheet.freeze_panes = f"D{HEADER_ROW + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
