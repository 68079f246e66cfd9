"""What an admin enters for the star rating, per unit and quarter: the administrative reform points (e.g.
converted from the province's PAR index) and the initiatives bonus, with the source of the figure.

Each save is a new entry holding the quarter's whole state (the page fills the form with the one in force),
so the latest entry is in force and the earlier ones are its history; each is also in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.feedback.rubric import Metric, Rubric
from compliance.office.officials import Actor
from compliance.privacy import audit
from compliance.text import clean_text
from storage.models import Unit
from storage.models_emulation import EmulationScore

NOTE_LONGEST: Final = 500
FIRST_YEAR: Final = 2020
LAST_YEAR: Final = 2100


class ScoreRefused(ValueError):
    """A save refused, nothing changed; `field` is the form's field, `reason` one of the codes below."""

    def __init__(self, field: str, reason: str, limit: float = 0.0) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason, self.limit = field, reason, limit


NOTHING, OUT_OF_RANGE, NO_NOTE, NOTE_TOO_LONG, BAD_PERIOD, MERGED = (
    "nothing",
    "out_of_range",
    "no_note",
    "note_too_long",
    "bad_period",
    "merged",
)


@dataclass(frozen=True)
class Entered:
    """The points in force for a unit and quarter."""

    reform: float | None
    initiatives: float | None
    note: str
    entry_id: int


def _points(value: float | None, field: str, rubric: Rubric, metric: Metric) -> float | None:
    if value is None:
        return None
    measure = rubric.entered(metric)
    limit = measure.points if measure is not None else 0.0
    if not 0 <= value <= limit:
        raise ScoreRefused(field, OUT_OF_RANGE, limit)
    return round(value, 2)


async def enter_score(
    session: AsyncSession,
    *,
    rubric: Rubric,
    unit: Unit,
    year: int,
    quarter: int,
    reform: float | None,
    initiatives: float | None,
    note: str,
    actor: Actor | None,
) -> EmulationScore:
    if unit.merged_into_id is not None:
        raise ScoreRefused("unit", MERGED)
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= quarter <= 4):
        raise ScoreRefused("quarter", BAD_PERIOD)
    reform = _points(reform, "reform", rubric, Metric.ENTERED_REFORM)
    initiatives = _points(initiatives, "initiatives", rubric, Metric.ENTERED_INITIATIVES)
    if reform is None and initiatives is None:
        raise ScoreRefused("reform", NOTHING)
    note = clean_text(note)
    if not note:
        raise ScoreRefused("note", NO_NOTE)
    if len(note) > NOTE_LONGEST:
        raise ScoreRefused("note", NOTE_TOO_LONG, NOTE_LONGEST)
    before = (await current(session, year=year, quarters=[quarter], unit_ids=[unit.id])).get(
        (unit.id, quarter)
    )
    entry = EmulationScore(
        unit_id=unit.id,
        year=year,
        quarter=quarter,
        reform=reform,
        initiatives=initiatives,
        note=note,
        entered_by_id=actor.id if actor else None,
    )
    session.add(entry)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="emulation.score",
        subject=f"unit:{unit.id}",
        before=None
        if before is None
        else {"reform": before.reform, "initiatives": before.initiatives, "note": before.note},
        after={"year": year, "quarter": quarter, "reform": reform, "initiatives": initiatives, "note": note},
    )
    return entry


async def current(
    session: AsyncSession, *, year: int, quarters: Sequence[int], unit_ids: Sequence[int] | None = None
) -> dict[tuple[int, int], Entered]:
    """The entries in force of the year's given quarters, by (unit, quarter): the latest of each."""
    latest = select(func.max(EmulationScore.id)).where(
        EmulationScore.year == year, EmulationScore.quarter.in_(list(quarters))
    )
    if unit_ids is not None:
        latest = latest.where(EmulationScore.unit_id.in_(list(unit_ids)))
    latest = latest.group_by(EmulationScore.unit_id, EmulationScore.quarter)
    rows = await session.scalars(select(EmulationScore).where(EmulationScore.id.in_(latest)))
    return {
        (row.unit_id, row.quarter): Entered(row.reform, row.initiatives, row.note, row.id) for row in rows
    }


async def history(session: AsyncSession, *, unit_id: int, year: int) -> list[EmulationScore]:
    """Every entry of a unit's year, newest first."""
    rows = await session.scalars(
        select(EmulationScore)
        .where(EmulationScore.unit_id == unit_id, EmulationScore.year == year)
        .order_by(EmulationScore.id.desc())
    )
    return list(rows)
