"""/selfcheck and /quiz on the web: the chat's rules (window, late, change; one weekly round, scored once)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from compliance.delivery.outbox import enqueue
from compliance.office.accounts import Address
from compliance.practice import quizzes
from storage.clock import local_today, utcnow
from storage.engine import Database
from storage.models_practice import QuizAnswer, QuizAttempt, SelfCheck
from tests.web_client import csrf_of, sign_in, web_client
from tests.web_official_office import populate

ITEMS = ("biet-1", "biet-2", "khong-1")


def _monday() -> date:
    today = local_today()
    return today - timedelta(days=today.weekday())


async def _self_check(database: Database, official_id: int, version_id: int, **fields: object) -> int:
    values: dict[str, object] = {
        "week": _monday(),
        "answers": {},
        "status": "open",
        "deadline_at": utcnow() + timedelta(days=2),
        **fields,
    }
    async with database.unit_of_work() as session:
        check = SelfCheck(official_id=official_id, pledge_version_id=version_id, **values)
        session.add(check)
        await session.flush()
        return check.id


async def _check(database: Database, check_id: int) -> SelfCheck:
    async with database.unit_of_work() as session:
        check = await session.get(SelfCheck, check_id)
        assert check is not None
        return check


async def test_the_self_check_form_saves_completes_and_changes(database: Database) -> None:
    people = await populate(database)
    check_id = await _self_check(database, people.official, people.version_id)
    async with web_client(database) as client:
        await sign_in(client, database, people.official)
        page = await client.get("/selfcheck")
        assert page.status_code == 200 and 'name="item-2"' in page.text
        base = {"csrf": csrf_of(page), "check": str(check_id)}
        partial = await client.post("/selfcheck", data={**base, "item-0": "yes"})
        assert partial.status_code == 303 and partial.headers["location"] == "/selfcheck?saved=1"
        assert (await _check(database, check_id)).status == "open"
        done = await client.post(
            "/selfcheck",
            data={**base, "item-0": "yes", "item-1": "partly", "item-2": "no", "note": "Tuần tốt"},
        )
        assert done.headers["location"] == "/selfcheck?saved=done"
        check = await _check(database, check_id)
        assert check.status == "done" and check.answers == dict(
            zip(ITEMS, ("yes", "partly", "no"), strict=True)
        )
        assert check.note == "Tuần tốt" and check.completed_at is not None
        changed = await client.post("/selfcheck", data={**base, "item-2": "yes"})
        assert changed.status_code == 303
        assert (await _check(database, check_id)).answers["khong-1"] == "yes"
        bad = await client.post("/selfcheck", data={**base, "item-0": "maybe"})
        assert bad.status_code == 400
        too_long = await client.post("/selfcheck", data={**base, "item-0": "no", "note": "x" * 501})
        assert too_long.status_code == 400
        after = await _check(database, check_id)
        assert after.answers["biet-1"] == "yes" and after.note == "Tuần tốt"  # nothing of either was kept


async def test_a_self_check_outside_its_window(database: Database) -> None:
    people = await populate(database)
    async with web_client(database) as client:
        await sign_in(client, database, people.official)
        page = await client.get("/selfcheck")
        assert page.status_code == 200 and 'name="item-0"' not in page.text
        assert "14:00" in page.text  # when it opens (the office's default schedule)
    closed_id = await _self_check(
        database, people.official, people.version_id, deadline_at=utcnow() - timedelta(hours=1)
    )
    async with web_client(database) as client:
        page = await sign_in(client, database, people.official)
        page = await client.get("/selfcheck")
        assert 'name="item-0"' not in page.text and "14:00" in page.text
        refused = await client.post(
            "/selfcheck", data={"csrf": csrf_of(page), "check": str(closed_id), "item-0": "yes"}
        )
        assert refused.status_code == 409
    assert (await _check(database, closed_id)).answers == {}


async def test_a_missed_self_check_is_completed_late(database: Database) -> None:
    people = await populate(database)
    check_id = await _self_check(
        database,
        people.official,
        people.version_id,
        status="missed",
        deadline_at=utcnow() - timedelta(days=1),
    )
    async with web_client(database) as client:
        page = await sign_in(client, database, people.official)
        page = await client.get("/selfcheck")
        assert 'name="item-0"' in page.text
        answers = {f"item-{n}": "yes" for n in range(3)}
        await client.post("/selfcheck", data={"csrf": csrf_of(page), "check": str(check_id), **answers})
    assert (await _check(database, check_id)).status == "late"


async def test_someone_elses_self_check_is_not_found(database: Database) -> None:
    people = await populate(database)
    theirs = await _self_check(database, people.head, people.version_id)
    await _self_check(database, people.official, people.version_id)
    async with web_client(database) as client:
        page = await sign_in(client, database, people.official)
        page = await client.get("/selfcheck")
        answer = await client.post(
            "/selfcheck", data={"csrf": csrf_of(page), "check": str(theirs), "item-0": "no"}
        )
        assert answer.status_code == 404
    assert (await _check(database, theirs)).answers == {}


async def _offer_weekly_quiz(database: Database, official_id: int) -> date:
    week = _monday()
    async with database.unit_of_work() as session:
        await enqueue(
            session,
            dedupe_key=f"quiz:{official_id}:{week.isoformat()}",
            kind="quiz",
            to=Address.telegram(300),
            payload={"week": week.isoformat()},
            official_id=official_id,
        )
    return week


async def _attempts(database: Database, official_id: int) -> list[QuizAttempt]:
    async with database.unit_of_work() as session:
        rows = await session.scalars(select(QuizAttempt).where(QuizAttempt.official_id == official_id))
        return list(rows.all())


async def test_the_weekly_quiz_is_scored_once_with_explanations(database: Database) -> None:
    people = await populate(database)
    async with web_client(database) as client:
        page = await sign_in(client, database, people.official)
        overview = await client.get("/quiz")
        assert 'value="weekly"' not in overview.text  # not offered yet: practice only
        week = await _offer_weekly_quiz(database, people.official)
        overview = await client.get("/quiz")
        assert 'value="weekly"' in overview.text
        started = await client.post("/quiz/start", data={"csrf": csrf_of(overview), "kind": "weekly"})
        assert started.status_code == 303
        round_page = await client.get(started.headers["location"])
        assert round_page.text.count('type="radio"') >= 5 * 2 and 'name="q4"' in round_page.text
        (attempt,) = await _attempts(database, people.official)
        assert attempt.week == week and not attempt.practice
        ids = quizzes.question_ids(attempt)
        bank = quizzes.bank_by_label(attempt.bank)
        assert bank is not None and len(ids) == 5
        asked = [question for question in (bank.question(qid) for qid in ids) if question is not None]
        assert len(asked) == 5
        right = [question.answer for question in asked]
        incomplete = await client.post(
            started.headers["location"], data={"csrf": csrf_of(page), "q0": str(right[0])}
        )
        assert incomplete.status_code == 400
        assert (await _attempts(database, people.official))[0].answered == 0
        chosen = {f"q{n}": str(answer) for n, answer in enumerate(right)}
        chosen["q4"] = str((right[4] + 1) % len(asked[4].options))
        answered = await client.post(started.headers["location"], data={"csrf": csrf_of(page), **chosen})
        assert answered.status_code == 303
        results = await client.get(started.headers["location"])
        assert "4/5" in results.text and 'type="radio"' not in results.text
        assert asked[0].explanation.get("vi") in results.text
        cited = asked[0].source
        assert cited is not None and (cited.number or "bản cam kết mẫu") in results.text  # its document
        again = await client.post(started.headers["location"], data={"csrf": csrf_of(page), **chosen})
        assert again.status_code == 303
        restart = await client.post("/quiz/start", data={"csrf": csrf_of(page), "kind": "weekly"})
        assert restart.headers["location"] == started.headers["location"]  # the same round, not a new one
    (attempt,) = await _attempts(database, people.official)
    assert attempt.score == 4 and attempt.answered == 5 and attempt.finished_at is not None
    async with database.unit_of_work() as session:
        answers = (await session.scalars(select(QuizAnswer))).all()
        assert len(answers) == 5


async def test_a_round_begun_in_the_chat_is_finished_on_the_page(database: Database) -> None:
    people = await populate(database)
    week = await _offer_weekly_quiz(database, people.official)
    async with database.unit_of_work() as session:
        started = await quizzes.start_attempt(
            session,
            official_id=people.official,
            bank=quizzes.current_bank(),
            week=week,
            practice=False,
            now=utcnow(),
        )
        first = started.questions[0]
        await quizzes.answer(
            session,
            attempt_id=started.attempt.id,
            official_id=people.official,
            index=0,
            chosen=first.answer,
            now=utcnow(),
        )
        attempt_id, remaining = started.attempt.id, [q.answer for q in started.questions[1:]]
    async with web_client(database) as client:
        page = await sign_in(client, database, people.official)
        round_page = await client.get(f"/quiz/{attempt_id}")
        assert 'name="q0"' not in round_page.text and 'name="q1"' in round_page.text
        data = {f"q{n + 1}": str(answer) for n, answer in enumerate(remaining)}
        await client.post(f"/quiz/{attempt_id}", data={"csrf": csrf_of(page), **data})
        other = await client.get(f"/quiz/{attempt_id + 1000}")
        assert other.status_code == 404
    (attempt,) = await _attempts(database, people.official)
    assert attempt.score == 5 and attempt.finished_at is not None


async def test_a_practice_round_and_another_persons_round(database: Database) -> None:
    people = await populate(database)
    async with web_client(database) as client:
        page = await sign_in(client, database, people.head)
        started = await client.post("/quiz/start", data={"csrf": csrf_of(page), "kind": "practice"})
        assert started.status_code == 303
        refused = await client.post("/quiz/start", data={"csrf": csrf_of(page), "kind": "weekly"})
        assert refused.status_code == 400  # no weekly round offered
    (attempt,) = await _attempts(database, people.head)
    assert attempt.practice
    async with web_client(database) as client:
        page = await sign_in(client, database, people.official)
        assert (await client.get(f"/quiz/{attempt.id}")).status_code == 404
        posted = await client.post(f"/quiz/{attempt.id}", data={"csrf": csrf_of(page), "q0": "0"})
        assert posted.status_code == 404
        assert (await client.get("/quiz/abc")).status_code == 404
    assert (await _attempts(database, people.head))[0].answered == 0
