"""The emulation review's stars sheet (issue 16) as its tests read it back: the rows by unit code, and what
the ranking page's domain gives for the same period and subtree. Shared by the CLI's export test
(tests.test_reports) and the admin export page's (tests.test_web_admin_export)."""

from __future__ import annotations

from openpyxl.workbook import Workbook
from sqlalchemy import select

from compliance.feedback import star_scores
from compliance.feedback.rubric import load_rubric
from compliance.feedback.stars import StarPeriod, UnitStars, rank_units
from handlers.i18n import _, use_locale
from storage.engine import Database
from storage.models import Unit
from storage.models_campaign import OfficeSetting


def stars_title(locale: str = "vi") -> str:
    with use_locale(locale):
        return _("Star rating")


def satisfaction_title(locale: str = "vi") -> str:
    """The review's sheet of the citizens' ratings, before the stars'."""
    with use_locale(locale):
        return _("Satisfaction")


def sheet_rows(workbook: Workbook, title: str) -> dict[str, tuple[object, ...]]:
    """The sheet's units by code (the fourth column); the header and the period and source lines below the
    table have no code there."""
    rows = list(workbook[title].iter_rows(min_row=2, values_only=True))
    return {str(row[3]): row for row in rows if len(row) > 3 and row[3]}


async def give_points(database: Database, code: str, period: StarPeriod, reform: float = 46.0) -> None:
    """Reform and initiative points entered for one unit in `period`'s first quarter, so its total differs
    from its peers' (nobody rated anything)."""
    async with database.unit_of_work() as session:
        unit = await session.scalar(select(Unit).where(Unit.code == code))
        assert unit is not None
        await star_scores.enter_score(
            session,
            rubric=load_rubric(),
            unit=unit,
            year=period.year,
            quarter=period.quarter or 1,
            reform=reform,
            initiatives=2.0,
            note="Chỉ số CCHC",
            actor=None,
        )


async def ranked(database: Database, period: StarPeriod, root_code: str | None = None) -> list[UnitStars]:
    """The office's ranking of `period` (the ranking page's), `root_code`'s subtree of it."""
    async with database.unit_of_work() as session:
        ranking = await rank_units(session, rubric=load_rubric(), period=period)
        root = await session.scalar(select(Unit).where(Unit.code == root_code)) if root_code else None
    return [unit for unit in ranking.units if root is None or unit.path.startswith(root.path)]


def assert_rows(rows: dict[str, tuple[object, ...]], expected: list[UnitStars]) -> None:
    """Each unit's rank among its peers, name, total and stars as ranked; no other unit."""
    assert set(rows) == {unit.code for unit in expected}
    for unit in expected:
        row = rows[unit.code]
        assert (row[0], row[1], row[2]) == (unit.rank, unit.peers, unit.name)
        assert (row[-3], row[-2]) == (unit.total, unit.stars)


async def break_the_rubric(database: Database) -> None:
    """The office's chosen rubric file gone: every reader of the stars goes without them."""
    async with database.unit_of_work() as session:
        session.add(OfficeSetting(name="stars_rubric", value="gone-since"))
