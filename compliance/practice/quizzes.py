"""Quizzes: versioned bilingual question banks (content/quizzes/<code>-<version>.yaml) and rounds of them.

A round (an attempt) draws a few questions the person has not answered lately and asks them in a fixed
order; each answer is checked again here, whatever the button said. The weekly round counts (one per
official and week); a practice round (/quiz) is kept but never counted.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.content import ID_PATTERN, ContentError, Question, Reader, Text
from compliance.sources import Source, parse_source
from storage.models import Official
from storage.models_practice import QuizAnswer, QuizAttempt

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content" / "quizzes"
TOPICS = ("pledge", "office-culture", "admin-reform")
QUESTIONS_PER_ROUND = 5
RECENT = timedelta(weeks=4)  # a question answered within this is not drawn again while others remain
_random = random.Random()


@dataclass(frozen=True)
class QuestionBank:
    code: str
    version: int
    title: Text
    questions: tuple[Question, ...]

    @property
    def label(self) -> str:
        return f"{self.code}-{self.version}"

    @functools.cached_property
    def _by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}

    def question(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    @property
    def topics(self) -> set[str]:
        return {question.topic for question in self.questions}


# ---- loading and validating ------------------------------------------------------------------------


def parse_bank(document: Any, source: str, expected_name: str | None = None) -> QuestionBank:
    read = Reader(source)
    data = read.mapping(document, "file")
    code = read.field(data, "code", "file")
    version = read.field(data, "version", "file")
    if not isinstance(code, str) or not ID_PATTERN.match(code):
        raise read.fail("code", "must be lowercase letters, digits and dashes")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise read.fail("version", "must be a whole number from 1")
    if expected_name is not None and expected_name != f"{code}-{version}":
        raise read.fail("file", f"the file must be named {code}-{version}.yaml")
    title = read.text(read.field(data, "title", "file"), "title")
    sources = _sources(read, data)
    by_topic = read.mapping(data.get("topic_sources") or {}, "topic_sources")
    seen: set[str] = set()
    questions = []
    raw_questions = read.list_of(
        read.field(data, "questions", "file"), "questions", minimum=QUESTIONS_PER_ROUND, maximum=1000
    )
    for number, raw in enumerate(raw_questions, start=1):
        question = read.question(raw, f"question {number}", seen)
        if question.topic not in TOPICS:
            problem = (
                "missing 'topic'"
                if not read.mapping(raw, "question").get("topic")
                else f"unknown topic '{question.topic}' (use one of: {', '.join(TOPICS)})"
            )
            raise read.fail(f"question {question.id}", problem)
        # Each question names its document: its own `source`, or its topic's.
        key = read.mapping(raw, "question").get("source") or by_topic.get(question.topic)
        if key is None:
            raise read.fail(f"question {question.id}", "missing 'source'", "missing", key="source")
        if not isinstance(key, str) or key not in sources:
            raise read.fail(
                f"question {question.id}", f"no source '{key}' under sources", "unknown_source", key=str(key)
            )
        questions.append(dataclasses.replace(question, source=sources[key]))
    return QuestionBank(code=code, version=version, title=title, questions=tuple(questions))


def _sources(read: Reader, data: dict[str, Any]) -> dict[str, Source]:
    """The documents the questions cite, by key; a key naming no issued document (the shipped sample
    pledge) is marked `sample: true` and says what it is."""
    found: dict[str, Source] = {}
    seen: set[str] = set()
    for key, value in read.mapping(read.field(data, "sources", "file"), "sources").items():
        where = f"source {key}"
        read.ident(key, where, seen)
        entry = read.mapping(value, where)
        found[key] = parse_source(read, entry, sample=bool(entry.get("sample")), where=where)
    return found


def load_bank_bytes(content: bytes, source: str, expected_name: str | None = None) -> QuestionBank:
    try:
        document = yaml.safe_load(content.decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContentError(source, "file", f"not valid YAML: {str(exc).splitlines()[0]}") from None
    return parse_bank(document, source, expected_name)


def load_bank_file(path: Path) -> QuestionBank:
    return load_bank_bytes(path.read_bytes(), path.name, expected_name=path.stem)


def shipped_banks() -> list[QuestionBank]:
    return [load_bank_file(path) for path in sorted(CONTENT_DIR.glob("*.yaml"))]


@functools.cache
def _shipped_by_label() -> dict[str, QuestionBank]:
    return {bank.label: bank for bank in shipped_banks()}


def current_bank() -> QuestionBank:
    """The shipped bank with the highest version: new rounds draw from it (loaded once per process)."""
    banks = _shipped_by_label().values()
    if not banks:
        raise ContentError(str(CONTENT_DIR), "file", "no quiz bank is shipped")
    return max(banks, key=lambda bank: (bank.version, bank.code))


def bank_by_label(label: str) -> QuestionBank | None:
    """The bank a round was drawn from, so a round started before an update ends with its own questions."""
    return _shipped_by_label().get(label)


# ---- rounds ----------------------------------------------------------------------------------------


class StartOutcome(enum.Enum):
    STARTED = "started"
    ALREADY_STARTED = "already_started"  # this week's round exists and is not finished: resume it
    ALREADY_DONE = "already_done"  # this week's round is finished: its score stands
    UNAVAILABLE = "unavailable"  # the round's bank is no longer shipped


@dataclass(frozen=True)
class StartResult:
    outcome: StartOutcome
    attempt: QuizAttempt
    questions: tuple[Question, ...]  # in asking order; empty when UNAVAILABLE

    @property
    def next_index(self) -> int | None:
        if self.attempt.finished_at is not None or self.attempt.answered >= len(self.questions):
            return None
        return self.attempt.answered

    @property
    def score(self) -> int:
        return self.attempt.score

    @property
    def total(self) -> int:
        return len(question_ids(self.attempt))


class AnswerOutcome(enum.Enum):
    RECORDED = "recorded"
    STALE = "stale"  # already answered, or not this question's turn: nothing changes
    NOT_FOUND = "not_found"  # no such round of this official (or a forged option): nothing changes


@dataclass(frozen=True)
class AnswerResult:
    outcome: AnswerOutcome
    correct: bool = False
    question: Question | None = None
    index: int = 0
    chosen: int = 0
    next_index: int | None = None
    next_question: Question | None = None
    score: int = 0
    total: int = 0
    practice: bool = False
    week: date | None = None

    @property
    def finished(self) -> bool:
        return self.outcome is AnswerOutcome.RECORDED and self.next_index is None


def question_ids(attempt: QuizAttempt) -> list[str]:
    ids = (attempt.question_ids or {}).get("ids") or []
    return [str(qid) for qid in ids]


def _questions_of(attempt: QuizAttempt, bank: QuestionBank | None) -> tuple[Question, ...]:
    if bank is None or bank.label != attempt.bank:
        bank = bank_by_label(attempt.bank)
    if bank is None:
        return ()
    found = [bank.question(qid) for qid in question_ids(attempt)]
    return tuple(q for q in found if q is not None) if all(found) else ()


def questions_of(attempt: QuizAttempt) -> tuple[Question, ...]:
    """The round's questions in asking order, from the bank it was drawn from (empty if that bank is gone)."""
    return _questions_of(attempt, None)


async def weekly_attempt(session: AsyncSession, *, official_id: int, week: date) -> QuizAttempt | None:
    return await session.scalar(
        select(QuizAttempt)
        .where(
            QuizAttempt.official_id == official_id,
            QuizAttempt.week == week,
            QuizAttempt.practice.is_(False),
        )
        .order_by(QuizAttempt.id)
        .limit(1)
    )


async def recently_seen(session: AsyncSession, *, official_id: int, since: datetime) -> dict[str, datetime]:
    """Question id -> when the person last answered it, for answers since then (one grouped query)."""
    rows = await session.execute(
        select(QuizAnswer.question_id, func.max(QuizAnswer.answered_at))
        .where(QuizAnswer.official_id == official_id, QuizAnswer.answered_at >= since)
        .group_by(QuizAnswer.question_id)
    )
    return {qid: last for qid, last in rows}


def draw(bank: QuestionBank, seen: dict[str, datetime], *, count: int, rng: random.Random) -> list[Question]:
    """`count` questions not seen lately; if too few remain, the least recently seen fill up the round."""
    fresh = [q for q in bank.questions if q.id not in seen]
    count = min(count, len(bank.questions))
    if len(fresh) >= count:
        chosen = rng.sample(fresh, count)
    else:
        stale = [q for q in bank.questions if q.id in seen]
        rng.shuffle(stale)  # equal times are broken at random, not by file order
        stale.sort(key=lambda q: seen[q.id])
        chosen = fresh + stale[: count - len(fresh)]
    rng.shuffle(chosen)
    return chosen


async def start_attempt(
    session: AsyncSession,
    *,
    official_id: int,
    bank: QuestionBank,
    week: date | None,
    practice: bool,
    now: datetime,
    count: int = QUESTIONS_PER_ROUND,
    rng: random.Random | None = None,
) -> StartResult:
    """A new round for the official; for the weekly round (not practice), the week's existing one if any."""
    if not practice:
        if week is None:
            raise ValueError("a weekly round needs its week")
        # One weekly round per official and week: concurrent starts queue on the official's row
        # (PostgreSQL; SQLite writes one transaction at a time anyway).
        await session.execute(select(Official.id).where(Official.id == official_id).with_for_update())
        existing = await weekly_attempt(session, official_id=official_id, week=week)
        if existing is not None:
            questions = _questions_of(existing, bank)
            if existing.finished_at is not None:
                outcome = StartOutcome.ALREADY_DONE
            elif not questions:
                outcome = StartOutcome.UNAVAILABLE
            else:
                outcome = StartOutcome.ALREADY_STARTED
            return StartResult(outcome, existing, questions)
    else:
        week = None
    seen = await recently_seen(session, official_id=official_id, since=now - RECENT)
    chosen = draw(bank, seen, count=count, rng=rng or _random)
    attempt = QuizAttempt(
        official_id=official_id,
        week=week,
        practice=practice,
        bank=bank.label,
        question_ids={"ids": [q.id for q in chosen]},
        score=0,
        answered=0,
        started_at=now,
    )
    session.add(attempt)
    await session.flush()
    return StartResult(StartOutcome.STARTED, attempt, tuple(chosen))


async def answer(
    session: AsyncSession, *, attempt_id: int, official_id: int, index: int, chosen: int, now: datetime
) -> AnswerResult:
    """Records the answer to question `index` of the round, if it is that official's and that question's
    turn; a repeated or stale press (STALE) and a forged one (NOT_FOUND) change nothing."""
    attempt = await session.scalar(
        select(QuizAttempt)
        .where(QuizAttempt.id == attempt_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if attempt is None or attempt.official_id != official_id:
        return AnswerResult(AnswerOutcome.NOT_FOUND)
    questions = _questions_of(attempt, None)
    total = len(question_ids(attempt))
    state: dict[str, Any] = {
        "score": attempt.score,
        "total": total,
        "practice": attempt.practice,
        "week": attempt.week,
        "index": index,
        "chosen": chosen,
    }
    if not questions:
        return AnswerResult(AnswerOutcome.NOT_FOUND, **state)
    if attempt.finished_at is not None or index != attempt.answered:
        return AnswerResult(AnswerOutcome.STALE, **state)
    question = questions[index]
    if not 0 <= chosen < len(question.options):
        return AnswerResult(AnswerOutcome.NOT_FOUND, **state)
    correct = chosen == question.answer
    session.add(
        QuizAnswer(
            attempt_id=attempt.id,
            official_id=official_id,
            question_id=question.id,
            chosen=chosen,
            correct=correct,
            answered_at=now,
        )
    )
    attempt.answered += 1
    attempt.score += int(correct)
    following: int | None = attempt.answered
    if attempt.answered >= total:
        attempt.finished_at = now
        following = None
    await session.flush()
    state["score"] = attempt.score
    return AnswerResult(
        AnswerOutcome.RECORDED,
        correct=correct,
        question=question,
        next_index=following,
        next_question=questions[following] if following is not None else None,
        **state,
    )
