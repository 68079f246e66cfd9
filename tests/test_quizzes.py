"""The quiz engine: banks and their validation, drawing questions not seen lately, answering, scoring."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from compliance.content import ContentError
from compliance.office.staff_import import import_staff
from compliance.practice import quizzes
from compliance.practice.quizzes import AnswerOutcome, QuestionBank, StartOutcome
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Official
from storage.models_practice import QuizAnswer, QuizAttempt
from tests.staff_files import OFFICE, xlsx_bytes

SHIPPED = Path(__file__).resolve().parent.parent / "content" / "quizzes" / "cong-vu-1.yaml"
WEEK = date(2026, 11, 23)


def bank_document(questions: int = 6) -> dict[str, Any]:
    topics = quizzes.TOPICS
    return {
        "code": "thu",
        "version": 1,
        "title": {"vi": "Thử", "en": "Trial"},
        "sources": {
            "qd-1847": {
                "kind": {"vi": "Quyết định", "en": "Decision"},
                "number": "1847/QĐ-TTg",
                "date": "2018-12-27",
                "issuer": {"vi": "Thủ tướng Chính phủ", "en": "the Prime Minister"},
            },
            "mau": {"sample": True, "note": {"vi": "bản mẫu", "en": "a sample"}},
        },
        "topic_sources": {topic: "qd-1847" for topic in topics},
        "questions": [
            {
                "id": f"t{n:02d}",
                "topic": topics[n % len(topics)],
                "question": {"vi": f"Câu {n}?", "en": f"Question {n}?"},
                "options": [{"vi": "Đúng", "en": "Right"}, {"vi": "Sai", "en": "Wrong"}],
                "answer": 0,
                "explanation": {"vi": "Vì thế.", "en": "Because."},
            }
            for n in range(1, questions + 1)
        ],
    }


def bank_bytes(document: dict[str, Any]) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True).encode()


def small_bank(questions: int = 6) -> QuestionBank:
    return quizzes.load_bank_bytes(bank_bytes(bank_document(questions)), "thu-1.yaml", "thu-1")


# ---- banks -------------------------------------------------------------------------------------------


def test_the_shipped_bank_loads_and_is_current() -> None:
    banks = quizzes.shipped_banks()
    assert [b.label for b in banks] == ["cong-vu-1"]
    bank = quizzes.current_bank()
    assert bank.label == "cong-vu-1" and bank.title.vi and bank.title.en
    assert len(bank.questions) >= 40
    assert bank.topics == set(quizzes.TOPICS)
    assert quizzes.current_bank() is bank  # loaded once
    for question in bank.questions:
        assert 2 <= len(question.options) <= 4 and 0 <= question.answer < len(question.options)
    assert quizzes.bank_by_label("cong-vu-1") is bank and quizzes.bank_by_label("cong-vu-9") is None
    assert quizzes.load_bank_file(SHIPPED) == bank
    # Every question names its document; those on 4 xin, 4 luôn cite Decision 1847/QĐ-TTg.
    assert all(question.source is not None for question in bank.questions)
    cited = {q.id: q.source.number for q in bank.questions if q.source is not None}
    assert cited["q010"] == "1847/QĐ-TTg" and cited["q033"] == "61/2018/NĐ-CP" and cited["q001"] is None


def test_a_question_may_cite_its_own_source_over_its_topics() -> None:
    document = bank_document()
    document["questions"][0]["source"] = "mau"
    bank = quizzes.load_bank_bytes(bank_bytes(document), "thu-1.yaml")
    first, second = bank.questions[:2]
    assert first.source is not None and first.source.note is not None and first.source.number is None
    assert second.source is not None and second.source.number == "1847/QĐ-TTg"


def _options(n: int) -> list[dict[str, str]]:
    return [{"vi": f"Ý {k}", "en": f"Option {k}"} for k in range(n)]


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        (lambda d: d["questions"][2]["question"].pop("en"), "question t03", "missing the en text"),
        (
            lambda d: d["questions"][1]["options"][1].pop("vi"),
            "question t02 option 2",
            "missing the vi text",
        ),
        (lambda d: d["questions"][3]["explanation"].pop("vi"), "question t04 explanation", "missing the vi"),
        (lambda d: d["questions"][0].update(options=_options(1)), "question t01", "2 to 4 entries"),
        (lambda d: d["questions"][4].update(options=_options(5)), "question t05", "2 to 4 entries"),
        (lambda d: d["questions"][5].update(answer=2), "question t06", "from 0 to 1"),
        (lambda d: d["questions"][5].update(answer=-1), "question t06", "from 0 to 1"),
        (lambda d: d["questions"][2].update(id="t01"), "question 3", "duplicate id 't01'"),
        (lambda d: d["questions"][1].update(topic="sports"), "question t02", "unknown topic 'sports'"),
        (lambda d: d["questions"][1].pop("topic"), "question t02", "missing 'topic'"),
        (lambda d: d.update(questions=d["questions"][:4]), "questions", "5 to 1000"),
        (lambda d: d.update(version=0), "version", "whole number"),
        (lambda d: d.pop("topic_sources"), "question t01", "missing 'source'"),
        (lambda d: d["questions"][2].update(source="nowhere"), "question t03", "no source 'nowhere'"),
        (lambda d: d["sources"]["qd-1847"].pop("number"), "source qd-1847", "missing 'number'"),
        (lambda d: d["sources"]["mau"].pop("note"), "source mau", "modelled on"),
    ],
)
def test_broken_banks_name_the_file_and_the_question(
    change: Callable[[dict[str, Any]], object], where: str, problem: str
) -> None:
    document = bank_document()
    change(document)
    with pytest.raises(ContentError) as caught:
        quizzes.load_bank_bytes(bank_bytes(document), "thu-1.yaml")
    assert caught.value.source == "thu-1.yaml" and caught.value.where == where
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"thu-1.yaml: {where}: ")


def test_a_bank_file_must_be_named_after_its_code_and_version(tmp_path: Path) -> None:
    path = tmp_path / "thu-2.yaml"
    path.write_bytes(bank_bytes(bank_document()))
    with pytest.raises(ContentError, match=r"thu-2\.yaml: file: the file must be named thu-1\.yaml"):
        quizzes.load_bank_file(path)
    with pytest.raises(ContentError, match="not valid YAML"):
        quizzes.load_bank_bytes(b"code: [", "thu-1.yaml")


def test_draws_fill_up_with_the_least_recently_seen() -> None:
    bank = small_bank(8)
    now = utcnow()
    seen = {f"t{n:02d}": now - timedelta(days=n) for n in range(1, 7)}  # t07, t08 are fresh
    for seed in range(20):
        chosen = {q.id for q in quizzes.draw(bank, seen, count=5, rng=random.Random(seed))}
        assert chosen == {"t07", "t08", "t06", "t05", "t04"}  # the fresh, then the longest ago
    orders = {tuple(q.id for q in quizzes.draw(bank, {}, count=5, rng=random.Random(s))) for s in range(10)}
    assert len(orders) > 1  # random order
    assert len(quizzes.draw(small_bank(5), {}, count=9, rng=random.Random(1))) == 5


# ---- rounds in the database --------------------------------------------------------------------------


@pytest.fixture
async def people(database: Database) -> tuple[int, int]:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        ids = (await session.scalars(select(Official.id).order_by(Official.id).limit(2))).all()
    return ids[0], ids[1]


async def _answer_all(
    database: Database, official_id: int, attempt_id: int, *, right: int, moment: Any = None
) -> list[quizzes.AnswerResult]:
    """Answers every question of the round: the first `right` correctly, the rest wrongly."""
    results = []
    async with database.unit_of_work() as session:
        attempt = await session.get(QuizAttempt, attempt_id)
        assert attempt is not None
        bank = quizzes.bank_by_label(attempt.bank)
        assert bank is not None
        for index, qid in enumerate(quizzes.question_ids(attempt)):
            question = bank.question(qid)
            assert question is not None
            chosen = question.answer if index < right else (question.answer + 1) % len(question.options)
            results.append(
                await quizzes.answer(
                    session,
                    attempt_id=attempt_id,
                    official_id=official_id,
                    index=index,
                    chosen=chosen,
                    now=moment or utcnow(),
                )
            )
    return results


async def test_a_round_is_answered_in_order_and_scored(database: Database, people: tuple[int, int]) -> None:
    lan, _other = people
    async with database.unit_of_work() as session:
        started = await quizzes.start_attempt(
            session,
            official_id=lan,
            bank=quizzes.current_bank(),
            week=None,
            practice=True,
            now=utcnow(),
            rng=random.Random(7),
        )
    assert started.outcome is StartOutcome.STARTED and started.total == 5 and started.next_index == 0
    assert started.attempt.practice and started.attempt.week is None
    assert len({q.id for q in started.questions}) == 5
    results = await _answer_all(database, lan, started.attempt.id, right=4)
    assert [r.outcome for r in results] == [AnswerOutcome.RECORDED] * 5
    assert [r.correct for r in results] == [True, True, True, True, False]
    assert [r.next_index for r in results] == [1, 2, 3, 4, None]
    assert [r.score for r in results] == [1, 2, 3, 4, 4]
    assert results[-1].finished and not results[0].finished
    assert results[1].next_question == started.questions[2] and results[0].question == started.questions[0]
    async with database.unit_of_work() as session:
        attempt = await session.get(QuizAttempt, started.attempt.id)
        assert attempt is not None
        assert (attempt.score, attempt.answered, attempt.finished_at is not None) == (4, 5, True)
        assert await session.scalar(select(func.count()).select_from(QuizAnswer)) == 5


async def test_stale_and_forged_answers_change_nothing(database: Database, people: tuple[int, int]) -> None:
    lan, chau = people
    async with database.unit_of_work() as session:
        started = await quizzes.start_attempt(
            session, official_id=lan, bank=quizzes.current_bank(), week=None, practice=True, now=utcnow()
        )
    attempt_id, first = started.attempt.id, started.questions[0]

    async def press(official_id: int, index: int, chosen: int) -> AnswerOutcome:
        async with database.unit_of_work() as session:
            result = await quizzes.answer(
                session,
                attempt_id=attempt_id,
                official_id=official_id,
                index=index,
                chosen=chosen,
                now=utcnow(),
            )
        return result.outcome

    assert await press(chau, 0, first.answer) is AnswerOutcome.NOT_FOUND  # someone else's round
    assert await press(lan, 1, 0) is AnswerOutcome.STALE  # not that question's turn yet
    assert await press(lan, 0, len(first.options)) is AnswerOutcome.NOT_FOUND  # no such option
    async with database.unit_of_work() as session:
        missing = await quizzes.answer(
            session, attempt_id=attempt_id + 99, official_id=lan, index=0, chosen=0, now=utcnow()
        )
    assert missing.outcome is AnswerOutcome.NOT_FOUND
    assert await press(lan, 0, first.answer) is AnswerOutcome.RECORDED
    assert (
        await press(lan, 0, (first.answer + 1) % len(first.options)) is AnswerOutcome.STALE
    )  # pressed again
    async with database.unit_of_work() as session:
        attempt = await session.get(QuizAttempt, attempt_id)
        assert attempt is not None and (attempt.score, attempt.answered) == (1, 1)
        answers = (await session.scalars(select(QuizAnswer))).all()
    assert [(a.official_id, a.question_id, a.correct) for a in answers] == [(lan, first.id, True)]


async def test_one_weekly_round_per_week(database: Database, people: tuple[int, int]) -> None:
    lan, chau = people
    bank = quizzes.current_bank()

    async def start(official_id: int, week: date) -> quizzes.StartResult:
        async with database.unit_of_work() as session:
            return await quizzes.start_attempt(
                session, official_id=official_id, bank=bank, week=week, practice=False, now=utcnow()
            )

    first = await start(lan, WEEK)
    assert first.outcome is StartOutcome.STARTED and first.attempt.week == WEEK and not first.attempt.practice
    await _answer_all(database, lan, first.attempt.id, right=2)  # answers 2 right, then…
    again = await start(lan, WEEK)
    assert again.outcome is StartOutcome.ALREADY_DONE and again.attempt.id == first.attempt.id
    assert (again.score, again.total, again.next_index) == (2, 5, None)
    # Another week, and another person the same week, are rounds of their own; unfinished ones resume.
    other_week = await start(lan, WEEK + timedelta(weeks=1))
    theirs = await start(chau, WEEK)
    assert other_week.outcome is StartOutcome.STARTED and theirs.outcome is StartOutcome.STARTED
    resumed = await start(chau, WEEK)
    assert resumed.outcome is StartOutcome.ALREADY_STARTED and resumed.attempt.id == theirs.attempt.id
    assert resumed.questions == theirs.questions and resumed.next_index == 0
    # Practice rounds never take the weekly one's place.
    async with database.unit_of_work() as session:
        practice = await quizzes.start_attempt(
            session, official_id=lan, bank=bank, week=WEEK, practice=True, now=utcnow()
        )
        assert practice.outcome is StartOutcome.STARTED and practice.attempt.week is None
        weekly = await quizzes.weekly_attempt(session, official_id=lan, week=WEEK)
        assert weekly is not None and weekly.id == first.attempt.id
        assert await quizzes.weekly_attempt(session, official_id=chau, week=WEEK - timedelta(weeks=1)) is None
        count = await session.scalar(
            select(func.count()).select_from(QuizAttempt).where(QuizAttempt.practice.is_(False))
        )
    assert count == 3


async def test_draws_avoid_questions_answered_in_the_last_four_weeks(
    database: Database, people: tuple[int, int]
) -> None:
    lan, chau = people
    bank = quizzes.current_bank()
    now = utcnow()
    all_ids = [q.id for q in bank.questions]
    recent, old = all_ids[:40], all_ids[40:43]
    async with database.unit_of_work() as session:
        holder = QuizAttempt(official_id=lan, practice=True, bank=bank.label, question_ids={"ids": all_ids})
        session.add(holder)
        await session.flush()
        for n, qid in enumerate(recent):  # answered within the 4 weeks, q of index 0 the longest ago
            at = now - timedelta(days=27) + timedelta(minutes=n)
            session.add(
                QuizAnswer(
                    attempt_id=holder.id,
                    official_id=lan,
                    question_id=qid,
                    chosen=0,
                    correct=True,
                    answered_at=at,
                )
            )
        for qid in old:  # answered 5 weeks ago: fresh again
            at = now - timedelta(weeks=5)
            session.add(
                QuizAnswer(
                    attempt_id=holder.id,
                    official_id=lan,
                    question_id=qid,
                    chosen=0,
                    correct=True,
                    answered_at=at,
                )
            )
    fresh = set(all_ids[40:])
    for seed in range(5):
        async with database.unit_of_work() as session:
            drawn = await quizzes.start_attempt(
                session,
                official_id=lan,
                bank=bank,
                week=None,
                practice=True,
                now=now,
                rng=random.Random(seed),
            )
            assert {q.id for q in drawn.questions} <= fresh
            # Someone else has seen nothing: any question may come.
            theirs = await quizzes.start_attempt(
                session, official_id=chau, bank=bank, week=None, practice=True, now=now, count=48
            )
            assert len(theirs.questions) == 48
    # With only 3 fresh questions left, the 2 seen longest ago fill the round.
    async with database.unit_of_work() as session:
        for n, qid in enumerate(all_ids[43:]):
            session.add(
                QuizAnswer(
                    attempt_id=holder.id,
                    official_id=lan,
                    question_id=qid,
                    chosen=0,
                    correct=True,
                    answered_at=now - timedelta(days=1, minutes=n),
                )
            )
        short = await quizzes.start_attempt(
            session, official_id=lan, bank=bank, week=None, practice=True, now=now, rng=random.Random(3)
        )
    assert {q.id for q in short.questions} == set(old) | set(all_ids[:2])
