"""The office chooses its province's star rubric (issue 16): the shipped default until an admin chooses; a
choice is audited and changes what every reader of the stars uses, the kept office ranking ranked again
by it; a rubric that cannot be read (unknown, broken, a path) is refused and changes nothing; only an
admin may choose. Both engines.

The rubric files are a temporary content directory: the shipped Đồng Nai sample, a test province's
variant with lower star thresholds (the same criteria, so the points are tests.stars_office's
hand-computed ones and only the stars differ), and a broken file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from compliance.content import ContentError
from compliance.feedback import rubric as rubric_module
from compliance.feedback import stars as stars_module
from compliance.feedback.rubric import DEFAULT_RUBRIC, load_rubric, shipped_rubrics
from compliance.feedback.rubric_choice import (
    RUBRIC_SETTING,
    office_rubric,
    office_rubric_code,
    set_office_rubric,
)
from compliance.feedback.stars import Ranking, StarPeriod, last_quarter_stars
from compliance.office.officials import Actor, actor_of
from compliance.reports import star_ranking
from compliance.reports.citizens import stars_of
from storage.engine import Database
from storage.models import Official
from storage.models_broadcast import AuditEntry
from storage.models_campaign import OfficeSetting
from tests.stars_office import add_star_inputs
from tests.test_reports import office  # noqa: F401 - the fixture
from tests.test_web_dashboard import admin, person, sign_in, unit_id
from tests.web_client import csrf_of, web_client

OTHER = "test-province-2026"
OTHER_NUMBER = "12/2026/QĐ-UBND"
SHIPPED_NUMBER = "54/2025/QĐ-UBND"
QUARTER = StarPeriod(2026, 4)
DAY = date(2027, 1, 13)  # the stars shown are IV/2026's, an ended quarter


@pytest.fixture
def rubric_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    shipped = rubric_module.CONTENT_DIR / f"{DEFAULT_RUBRIC}.yaml"
    (tmp_path / shipped.name).write_bytes(shipped.read_bytes())
    other = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    other["code"] = OTHER
    other["title"] = {"vi": "Bộ tiêu chí của tỉnh thử nghiệm", "en": "The test province's rubric"}
    other["source"]["number"] = OTHER_NUMBER
    other["stars"] = [
        {"stars": 4, "from": 75},
        {"stars": 3, "from": 50},
        {"stars": 2, "from": 25},
        {"stars": 1, "from": 0},
    ]
    (tmp_path / f"{OTHER}.yaml").write_text(yaml.safe_dump(other, allow_unicode=True), encoding="utf-8")
    broken = dict(other, code="broken")
    broken["stars"] = [{"stars": 4, "from": 50}, {"stars": 3, "from": 90}, {"stars": 1, "from": 0}]
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(rubric_module, "CONTENT_DIR", tmp_path)
    load_rubric.cache_clear()  # the rubrics are read once per process: read these, then forget them
    yield tmp_path
    load_rubric.cache_clear()


@pytest.fixture
async def stars_office(office: Database) -> Database:  # noqa: F811
    await add_star_inputs(office)
    return office


@pytest.fixture
def rankings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The rubric of every office ranking the kept ranking asks the domain for: the real rank_units runs."""
    calls: list[str] = []
    real: Callable[..., Any] = stars_module.rank_units

    async def counted(session: Any, **kwargs: Any) -> Ranking:
        calls.append(kwargs["rubric"].code)
        ranking: Ranking = await real(session, **kwargs)
        return ranking

    monkeypatch.setattr(star_ranking, "rank_units", counted)
    return calls


async def _admin_actor(database: Database) -> Actor:
    who = await admin(database)
    async with database.unit_of_work() as session:
        official = await session.scalar(
            select(Official).options(selectinload(Official.unit)).where(Official.id == who)
        )
        assert official is not None
        return actor_of(official)


async def _audits(database: Database) -> list[AuditEntry]:
    async with database.unit_of_work() as session:
        query = select(AuditEntry).where(AuditEntry.action == "settings.stars_rubric").order_by(AuditEntry.id)
        return list((await session.scalars(query)).all())


async def _setting(database: Database) -> str | None:
    async with database.unit_of_work() as session:
        return await session.scalar(select(OfficeSetting.value).where(OfficeSetting.name == RUBRIC_SETTING))


def test_the_files_are_listed_with_the_broken_one_and_its_error(rubric_dir: Path) -> None:
    listed = {f.code: f for f in shipped_rubrics()}
    assert sorted(listed) == ["broken", DEFAULT_RUBRIC, OTHER]
    other = listed[OTHER].rubric
    assert other is not None and other.source.number == OTHER_NUMBER
    assert listed["broken"].rubric is None and listed["broken"].error is not None
    assert "broken.yaml" in str(listed["broken"].error)


async def test_the_default_until_chosen_then_the_choice_audited_once(
    rubric_dir: Path, stars_office: Database
) -> None:
    actor = await _admin_actor(stars_office)
    async with stars_office.unit_of_work() as session:
        assert (await office_rubric(session)).code == DEFAULT_RUBRIC
        assert await office_rubric_code(session) == DEFAULT_RUBRIC
    assert await _setting(stars_office) is None
    async with stars_office.unit_of_work() as session:
        assert await set_office_rubric(session, f" {OTHER} ", actor=actor) is True
    async with stars_office.unit_of_work() as session:
        assert (await office_rubric(session)).code == OTHER
        assert await set_office_rubric(session, OTHER, actor=actor) is False  # already chosen
    audits = await _audits(stars_office)
    assert len(audits) == 1
    entry = audits[0]
    assert (entry.actor_id, entry.subject) == (actor.id, "office")
    assert (entry.before, entry.after) == ({"rubric": DEFAULT_RUBRIC}, {"rubric": OTHER})


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("nowhere", "no rubric 'nowhere'"),
        ("broken", "broken.yaml"),
        ("../rubrics/broken", "not a rubric's code"),
    ],
)
async def test_a_rubric_that_cannot_be_read_is_refused_and_changes_nothing(
    rubric_dir: Path, stars_office: Database, code: str, said: str
) -> None:
    actor = await _admin_actor(stars_office)
    with pytest.raises(ContentError) as refused:
        async with stars_office.unit_of_work() as session:
            await set_office_rubric(session, code, actor=actor)
    assert said in str(refused.value)
    assert await _setting(stars_office) is None and await _audits(stars_office) == []
    async with stars_office.unit_of_work() as session:
        assert (await office_rubric(session)).code == DEFAULT_RUBRIC


async def test_a_new_choice_ranks_the_office_again_by_it(
    rubric_dir: Path, stars_office: Database, rankings: list[str]
) -> None:
    actor = await _admin_actor(stars_office)

    async def office_stars() -> dict[str, tuple[float, int]]:
        async with stars_office.unit_of_work() as session:
            found = await stars_of(session, QUARTER, root=None, today=DAY)
        assert found is not None
        return {unit.name: (round(unit.total or 0, 2), unit.stars) for unit in found.units}

    before = await office_stars()
    assert await office_stars() == before  # kept: ranked once
    assert rankings == [DEFAULT_RUBRIC]
    assert before["Văn phòng"] == (78.83, 1) and before["Phòng Quản lý vận tải"] == (58.75, 1)

    async with stars_office.unit_of_work() as session:
        await set_office_rubric(session, OTHER, actor=actor)
    after = await office_stars()
    assert rankings == [DEFAULT_RUBRIC, OTHER]  # the kept ranking was the other rubric's: ranked again
    # The same points, the test province's thresholds: 75 and more is 4 stars, 50 is 3, 25 is 2.
    assert after["Văn phòng"] == (78.83, 4) and after["Phòng Quản lý vận tải"] == (58.75, 3)
    assert after["Sở GTVT"] == (26.83, 2)

    async with stars_office.unit_of_work() as session:
        office_id = await session.scalar(select(Official.unit_id).where(Official.full_name == "Lê Thị Hoa"))
        assert office_id is not None
        weekly = await last_quarter_stars(session, day=DAY, unit_ids=[office_id])
    assert weekly[office_id]["rubric"] == OTHER and weekly[office_id]["stars"] == 4


async def test_the_admin_chooses_on_the_scores_page(rubric_dir: Path, stars_office: Database) -> None:
    who = await admin(stars_office)
    async with web_client(stars_office) as client:
        await sign_in(client, stars_office, who)
        page = await client.get("/admin/stars?period=2026Q4")
        assert page.status_code == 200
        text = page.text
        # each usable rubric listed by its name and source, the office's current one chosen, the broken
        # file named with what is wrong with it
        assert f'<option value="{DEFAULT_RUBRIC}" selected>' in text and f'<option value="{OTHER}" >' in text
        assert SHIPPED_NUMBER in text and OTHER_NUMBER in text
        assert 'value="broken"' not in text and "broken.yaml" in text
        csrf = csrf_of(page)
        form = {"csrf": csrf, "period": "2026Q4"}

        refused = await client.post("/admin/stars/rubric", data={**form, "rubric": "broken"})
        assert refused.status_code == 400 and 'role="alert"' in refused.text and "broken.yaml" in refused.text
        expired = await client.post("/admin/stars/rubric", data={"period": "2026Q4", "rubric": OTHER})
        assert expired.status_code == 403
        assert await _setting(stars_office) is None

        saved = await client.post("/admin/stars/rubric", data={**form, "rubric": OTHER})
        assert saved.status_code == 303
        page = await client.get(saved.headers["location"])
        assert 'role="status"' in page.text and f'<option value="{OTHER}" selected>' in page.text
        assert OTHER_NUMBER in page.text.split('id="rubric"')[0]  # the current rubric's source, on top
        ranking = (await client.get("/dashboard/stars?period=2026Q4")).text
        assert OTHER_NUMBER in ranking and SHIPPED_NUMBER not in ranking and "★★★★" in ranking
    assert await _setting(stars_office) == OTHER and len(await _audits(stars_office)) == 1


async def test_a_chosen_file_gone_leaves_the_page_open_to_choose_another(
    rubric_dir: Path, stars_office: Database
) -> None:
    actor = await _admin_actor(stars_office)
    async with stars_office.unit_of_work() as session:
        await set_office_rubric(session, OTHER, actor=actor)
    (rubric_dir / f"{OTHER}.yaml").unlink()
    load_rubric.cache_clear()
    office_id = await unit_id(stars_office, "van-phong")
    async with web_client(stars_office) as client:
        await sign_in(client, stars_office, await admin(stars_office))
        page = await client.get(f"/admin/stars?period=2026Q4&unit={office_id}")
        assert page.status_code == 200 and 'role="alert"' in page.text and OTHER in page.text
        assert 'id="entry"' not in page.text  # no scores entered by a rubric that cannot be read
        refused = await client.post(
            "/admin/stars",
            data={
                "csrf": csrf_of(page),
                "period": "2026Q4",
                "unit": str(office_id),
                "reform": "40",
                "note": "x",
            },
        )
        assert refused.status_code == 400 and 'role="alert"' in refused.text
        saved = await client.post(
            "/admin/stars/rubric", data={"csrf": csrf_of(page), "period": "2026Q4", "rubric": DEFAULT_RUBRIC}
        )
        assert saved.status_code == 303
    assert await _setting(stars_office) == DEFAULT_RUBRIC


async def test_only_an_admin_may_choose(rubric_dir: Path, stars_office: Database) -> None:
    hoa = await person(stars_office, "Lê Thị Hoa")  # head of the Văn phòng
    async with web_client(stars_office) as client:
        await sign_in(client, stars_office, hoa)
        csrf = csrf_of(await client.get("/dashboard/stars?period=2026Q4"))
        answer = await client.post(
            "/admin/stars/rubric", data={"csrf": csrf, "period": "2026Q4", "rubric": OTHER}
        )
        assert answer.status_code == 403
    assert await _setting(stars_office) is None and await _audits(stars_office) == []
