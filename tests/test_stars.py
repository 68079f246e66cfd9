"""The star rating's computation on a small office with known inputs (tests.stars_office: the points are
worked out by hand there), the thresholds at their edges, a unit without data, the rubric's checks, the
admin's entries with their history, and a head's subtree."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from compliance.content import ContentError
from compliance.feedback import rubric as rubric_module
from compliance.feedback import star_scores
from compliance.feedback.rubric import CONTENT_DIR, load_rubric, parse_rubric
from compliance.feedback.stars import StarPeriod, UnitStars, last_quarter_stars, rank_units
from compliance.office import groups
from compliance.office.officials import actor_of
from compliance.reports.weekly import plan_weekly_summaries
from handlers.i18n import use_locale
from handlers.views.weekly import group_weekly
from storage.engine import Database
from storage.models import Official, OutboxMessage, Role
from storage.models_broadcast import AuditEntry
from tests.stars_office import QUARTER, YEAR, add_star_inputs, units_by_name
from tests.test_reports import office  # noqa: F401 - the fixture


def points(unit: UnitStars) -> dict[str, float]:
    return {c.criterion.id: c.points for c in unit.criteria}


def measure(unit: UnitStars, measure_id: str) -> Any:
    return next(m for c in unit.criteria for m in c.measures if m.measure.id == measure_id)


async def test_a_quarter_by_hand(office: Database) -> None:  # noqa: F811
    await add_star_inputs(office)
    async with office.unit_of_work() as session:
        ranking = await rank_units(session, rubric=load_rubric(), period=StarPeriod(YEAR, QUARTER))
    by_name = {u.name: u for u in ranking.units}
    vp, qlvt, so = by_name["Văn phòng"], by_name["Phòng Quản lý vận tải"], by_name["Sở GTVT"]
    assert points(vp) == {
        "propaganda": 10.0,
        "office-culture": 7.5,
        "satisfaction": 13.33,
        "reform": 45.0,
        "initiatives": 3.0,
    }
    assert (vp.total, vp.stars) == (78.83, 1)
    # every figure with its inputs
    assert (measure(vp, "updates-confirmed").part, measure(vp, "updates-confirmed").whole) == (2, 3)
    assert (measure(vp, "signed").part, measure(vp, "signed").whole, measure(vp, "signed").points) == (
        1,
        2,
        3.75,
    )
    assert (measure(vp, "satisfaction-index").part, measure(vp, "satisfaction-index").whole) == (2, 3)
    assert measure(vp, "reform-score").entered == ((4, 45.0),)
    assert points(qlvt) == {
        "propaganda": 5.0,
        "office-culture": 6.25,
        "satisfaction": 0.0,
        "reform": 47.5,  # the correction is in force
        "initiatives": 0.0,
    }
    satisfaction = next(c for c in qlvt.criteria if c.criterion.id == "satisfaction")
    assert satisfaction.no_data and measure(qlvt, "satisfaction-index").points is None  # the spam not counted
    assert (measure(qlvt, "self-checks").part, measure(qlvt, "self-checks").whole) == (1, 3)
    assert (qlvt.total, qlvt.stars) == (58.75, 1)
    assert points(so) == {
        "propaganda": 7.5,
        "office-culture": 6.0,
        "satisfaction": 13.33,
        "reform": 0.0,
        "initiatives": 0.0,
    }
    assert next(c for c in so.criteria if c.criterion.id == "reform").no_data
    assert so.total == 26.83
    # peers at each depth: the Sở alone at the top, its two offices ranked against each other
    assert [(u.name, u.rank, u.peers) for u in ranking.ranked()] == [
        ("Sở GTVT", 1, 1),
        ("Văn phòng", 1, 2),
        ("Phòng Quản lý vận tải", 2, 2),
    ]


async def test_a_year_and_a_subtree(office: Database) -> None:  # noqa: F811
    await add_star_inputs(office)
    async with office.unit_of_work() as session:
        units = await units_by_name(session)
        rubric = load_rubric()
        await star_scores.enter_score(
            session,
            rubric=rubric,
            unit=units["Văn phòng"],
            year=YEAR,
            quarter=3,
            reform=40.0,
            initiatives=4.0,
            note="Chỉ số CCHC quý III/2026",
            actor=None,
        )
    async with office.unit_of_work() as session:
        year = await rank_units(session, rubric=rubric, period=StarPeriod(YEAR))
        mine = await rank_units(
            session, rubric=rubric, period=StarPeriod(YEAR, QUARTER), root=units["Phòng Quản lý vận tải"]
        )
    vp = year.of(units["Văn phòng"].id)
    assert vp is not None
    # the year: reform the mean of the quarters entered, initiatives added up and capped at the bonus's 5
    assert measure(vp, "reform-score").entered == ((3, 40.0), (4, 45.0))
    assert (measure(vp, "reform-score").points, measure(vp, "initiatives-bonus").points) == (42.5, 5.0)
    # the one from September (the quarter before) counts in the year: Châu's copy, not confirmed
    assert (measure(vp, "updates-confirmed").part, measure(vp, "updates-confirmed").whole) == (2, 4)
    # a head of the transport office sees their unit only, with its rank among the office's peers
    assert [(u.name, u.rank, u.peers) for u in mine.units] == [("Phòng Quản lý vận tải", 2, 2)]


async def test_entries_are_checked_kept_and_audited(office: Database) -> None:  # noqa: F811
    rubric = load_rubric()
    async with office.unit_of_work() as session:
        unit = (await units_by_name(session))["Văn phòng"]
        cases: list[tuple[dict[str, Any], str, str]] = [
            ({"reform": 50.5}, "reform", star_scores.OUT_OF_RANGE),
            ({"reform": -1.0}, "reform", star_scores.OUT_OF_RANGE),
            ({"initiatives": 5.01}, "initiatives", star_scores.OUT_OF_RANGE),
            ({}, "reform", star_scores.NOTHING),
            ({"reform": 40.0, "note": "  "}, "note", star_scores.NO_NOTE),
            ({"reform": 40.0, "note": "x" * 501}, "note", star_scores.NOTE_TOO_LONG),
            ({"reform": 40.0, "quarter": 5}, "quarter", star_scores.BAD_PERIOD),
        ]
        for values, field, reason in cases:
            arguments: dict[str, Any] = {
                "reform": None,
                "initiatives": None,
                "note": "nguồn",
                "quarter": 2,
                **values,
            }
            with pytest.raises(star_scores.ScoreRefused) as refused:
                await star_scores.enter_score(
                    session, rubric=rubric, unit=unit, year=YEAR, actor=None, **arguments
                )
            assert (refused.value.field, refused.value.reason) == (field, reason)
        assert await star_scores.history(session, unit_id=unit.id, year=YEAR) == []
        for reform in (30.0, 31.25):
            await star_scores.enter_score(
                session,
                rubric=rubric,
                unit=unit,
                year=YEAR,
                quarter=2,
                reform=reform,
                initiatives=None,
                note="Ca\u0301i ca\u0301ch",
                actor=None,
            )
        kept = await star_scores.history(session, unit_id=unit.id, year=YEAR)
        assert [e.reform for e in kept] == [31.25, 30.0]
        assert (await star_scores.current(session, year=YEAR, quarters=[2]))[(unit.id, 2)].reform == 31.25
        audits = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "emulation.score").order_by(AuditEntry.id)
            )
        ).all()
        assert [a.after["reform"] if a.after else None for a in audits] == [30.0, 31.25]
        assert (
            audits[0].before is None and audits[1].before is not None and audits[1].before["reform"] == 30.0
        )
        assert kept[0].note == "Cái cách"  # NFC on the way in


def test_the_thresholds_at_their_edges() -> None:
    rubric = load_rubric()
    expected = {100: 4, 95: 4, 94.99: 3, 90: 3, 89.99: 2, 80: 2, 79.99: 1, 0: 1}
    assert {value: rubric.stars_for(value) for value in expected} == expected
    assert rubric.source.number == "54/2025/QĐ-UBND" and rubric.sample


def _shipped() -> dict[str, Any]:
    document = yaml.safe_load((CONTENT_DIR / "dong-nai-2025.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["criteria"][0].update(points=16), "criterion propaganda"),
        (lambda d: d.update(total=90), "criteria"),
        (lambda d: d["stars"].reverse(), "stars"),
        (lambda d: d["stars"][1].update({"from": 96}), "stars 3"),
        (lambda d: d["stars"][3].update({"from": 10}), "stars 1"),
        (lambda d: d["criteria"][0]["measures"][0].update(metric="likes"), "metric"),
        (
            lambda d: d["criteria"][4]["measures"][0].update(metric="entered_reform"),
            "measure initiatives-bonus",
        ),
        (lambda d: d["criteria"][1].update(no_data="maybe"), "no_data"),
        (lambda d: d["source"].pop("note"), "source"),
    ],
)
def test_a_broken_rubric_says_where(change: Any, where: str) -> None:
    document = _shipped()
    change(document)
    with pytest.raises(ContentError) as error:
        parse_rubric(document, "broken.yaml")
    assert error.value.source == "broken.yaml" and where in error.value.where


async def test_the_group_weekly_post_shows_the_units_stars_and_the_source(office: Database) -> None:  # noqa: F811
    await add_star_inputs(office)
    async with office.unit_of_work() as session:
        units = await units_by_name(session)
        head = await session.scalar(select(Official).where(Official.full_name == "Trần Văn Bình"))
        assert head is not None
        admin = actor_of(head)
        admin = replace(admin, role=Role.ADMIN)
        await groups.link(session, actor=admin, chat_id=-31, title="VP", unit=units["Văn phòng"])
        await groups.set_weekly_summary(session, actor=admin, chat_id=-31, on=True)
    monday = date(2027, 1, 4)  # the last quarter ended is IV/2026
    async with office.unit_of_work() as session:
        await plan_weekly_summaries(session, week=monday)
    async with office.unit_of_work() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "group_weekly"))
    assert row is not None
    assert row.payload["stars"] == {
        "stars": 1,
        "most": 4,
        "points": 78.83,
        "total": 100.0,
        "year": 2026,
        "quarter": 4,
        "rubric": "dong-nai-2025",
    }
    with use_locale("en"):
        text = group_weekly(row.payload).text
    assert "Star rating: ★☆☆☆ 78.83/100, quarter IV/2026" in text and "54/2025/QĐ-UBND" in text
    assert not any(name in text for name in ("Hoa", "Châu", "Lan", "Huy", "Bình"))  # units only, never people
    del row.payload["stars"]  # a post planned before the stars existed reads as it was
    with use_locale("en"):
        assert "Star rating" not in group_weekly(row.payload).text


async def test_a_broken_rubric_file_leaves_the_weekly_post_without_stars(
    office: Database,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (tmp_path / "dong-nai-2025.yaml").write_text("code: dong-nai-2025\ntotal: 100\n", encoding="utf-8")
    monkeypatch.setattr(rubric_module, "CONTENT_DIR", tmp_path)
    load_rubric.cache_clear()
    try:
        async with office.unit_of_work() as session:
            unit = (await units_by_name(session))["Văn phòng"]
            found = await last_quarter_stars(session, day=date(2027, 1, 4), unit_ids=[unit.id])
    finally:
        load_rubric.cache_clear()
    assert found == {} and "rubric cannot be read" in caplog.text
