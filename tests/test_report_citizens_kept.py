"""The office's star ranking is computed once for every reader in the process (issue 16's /report): the
chat's /report on Telegram and Zalo, its Excel and the ranking page share it, each given their subtree; a
new admin score entry makes the next /report rank again, with the new figures. Both engines.

The scene is tests.test_report_citizens's: Wednesday 13 January 2027, the stars of IV/2026.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from compliance.feedback import star_scores
from compliance.feedback import stars as stars_module
from compliance.feedback.rubric import load_rubric
from compliance.feedback.stars import Ranking, UnitStars
from compliance.office.officials import actor_of
from compliance.reports import star_ranking
from compliance.reports.citizens import weekly_stars
from compliance.reports.weekly import plan_weekly_summaries
from handlers.zalo.conversation import respond
from storage.engine import Database
from storage.models import Official, Role, Unit
from tests.roles import ADMIN, HEAD, OfficeBot, callback_update, message_update
from tests.test_report_citizens import (  # noqa: F401  (the scene's fixtures)
    QUARTER,
    WEEK,
    ZALO_HOA,
    _expected_lines,
    bot,
    clock,
)
from tests.test_report_citizens import _dashboard_figures as dashboard_figures
from tests.test_web_dashboard import person, sign_in
from tests.test_zalo_dialogs import incoming, services, texts
from tests.web_client import web_client


@pytest.fixture
def rankings(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Unit | None]]]:
    """Every office ranking the kept ranking asks the domain for, by period: the real rank_units runs."""
    calls: list[tuple[str, Unit | None]] = []
    real: Callable[..., Any] = stars_module.rank_units

    async def counted(session: Any, **kwargs: Any) -> Ranking:
        calls.append((kwargs["period"].key, kwargs.get("root")))
        ranking: Ranking = await real(session, **kwargs)
        return ranking

    monkeypatch.setattr(star_ranking, "rank_units", counted)
    yield calls


async def _ranked(database: Database) -> Ranking:
    """The office's ranking of the quarter straight from the domain (not through the kept one)."""
    async with database.unit_of_work() as session:
        return await stars_module.rank_units(session, rubric=load_rubric(), period=QUARTER)


async def _office_stars(database: Database) -> UnitStars:
    _letters, stars = await dashboard_figures(database, WEEK, WEEK)
    return stars


async def test_two_reports_rank_the_office_once_and_a_new_score_ranks_it_again(
    bot: OfficeBot,  # noqa: F811
    database: Database,
    rankings: list[tuple[str, Unit | None]],
) -> None:
    stars = await _office_stars(database)  # straight from the domain: not through the kept ranking
    line = _expected_lines(*(await dashboard_figures(database, WEEK, WEEK + timedelta(days=6))))[1]

    first = "\n".join((await bot.run(message_update(HEAD, "/report"))).texts)
    second = "\n".join((await bot.run(message_update(HEAD, "/report"))).texts)
    assert line in first and line in second
    assert rankings == [(QUARTER.key, None)]  # the whole office once, filtered to the head's subtree

    # Zalo's BAO CAO, the chat's Excel and a period's button read the same kept ranking.
    zalo = texts(await respond(incoming(ZALO_HOA, "BAO CAO"), services(database)))
    assert line in zalo
    await bot.run(callback_update(HEAD, "rp:x:week"))
    await bot.run(callback_update(HEAD, "rp:p:week"))
    # So does the ranking page of the same quarter, for the admin's whole office.
    hoa = await person(database, "Lê Thị Hoa")
    async with web_client(database) as client:
        await sign_in(client, database, hoa)
        page = await client.get(f"/dashboard/stars?period={QUARTER.key}")
    assert page.status_code == 200 and "Văn phòng" in page.text
    assert rankings == [(QUARTER.key, None)]

    # An admin corrects the office's reform points for IV/2026: the next /report ranks again.
    async with database.unit_of_work() as session:
        admin = await session.scalar(select(Official).where(Official.full_name == "Lê Thị Hoa"))
        office = await session.scalar(select(Unit).where(Unit.name == "Văn phòng"))
        assert admin is not None and office is not None
        admin.role = Role.ADMIN
        await star_scores.enter_score(
            session,
            rubric=load_rubric(),
            unit=office,
            year=QUARTER.year,
            quarter=QUARTER.quarter or 4,
            reform=20.0,
            initiatives=0.0,
            note="Sửa lại theo kết quả thẩm định",
            actor=actor_of(admin),
        )
        admin.role = Role.HEAD
    corrected = await _office_stars(database)
    assert corrected.total < stars.total  # 48 reform and bonus points became 20
    new_line = _expected_lines(*(await dashboard_figures(database, WEEK, WEEK + timedelta(days=6))))[1]
    third = "\n".join((await bot.run(message_update(HEAD, "/report"))).texts)
    assert new_line in third and line not in third
    assert rankings == [(QUARTER.key, None), (QUARTER.key, None)]


async def test_mondays_summaries_share_the_reports_ranking(
    bot: OfficeBot,  # noqa: F811
    database: Database,
    rankings: list[tuple[str, Unit | None]],
) -> None:
    """The summaries of Monday 18 January read the stars of IV/2026, as the /report of the 13th did: one
    ranking for both, and the admin's /report (the whole office) the same figures."""
    stars = await _office_stars(database)
    await bot.run(message_update(ADMIN, "/report"))
    async with database.unit_of_work() as session:
        office = await session.scalar(select(Unit).where(Unit.name == "Văn phòng"))
        units = (await session.scalars(select(Unit).where(Unit.merged_into_id.is_(None)))).all()
        assert office is not None
        found = await weekly_stars(session, day=WEEK + timedelta(days=7), unit_ids=[office.id], office=True)
        await plan_weekly_summaries(session, week=WEEK + timedelta(days=7))
    mine = found.units[office.id]
    assert mine["points"] == stars.total and mine["stars"] == stars.stars
    assert found.office is not None and found.office["units"] == len(units)
    counts = found.office["counts"]
    assert isinstance(counts, list) and sum(count for _stars, count in counts) == len(units)
    ranking = {u.unit_id: u.stars for u in (await _ranked(database)).units}
    assert counts == [[n, sum(1 for s in ranking.values() if s == n)] for n, _count in counts]
    assert dict(map(tuple, counts))[stars.stars] >= 1  # Văn phòng's own stars are among them
    # The heads' stars, the groups' and the admins' counts: all of that one ranking, none ranked again.
    assert rankings == [(QUARTER.key, None)]
