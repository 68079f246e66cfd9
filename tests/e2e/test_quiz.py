"""Quizzes through the real bot: a practice round, someone else's button, the weekly round counted once."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from sqlalchemy import func, select

from compliance.content import Question
from compliance.office.staff_import import import_staff
from compliance.practice import quizzes
from handlers.i18n import _, use_locale
from handlers.messages import esc
from storage.models import Official
from storage.models_practice import QuizAnswer, QuizAttempt
from tests.factories import FakeUser, buttons, press
from tests.fakes.botapi import BOT_USER
from tests.harness import BotHarness
from tests.staff_files import OFFICE, xlsx_bytes

LAN = FakeUser(5101, "Lan", "Nguyễn", "vi")  # Nguyễn Thị Lan
HUY = FakeUser(5102, "Huy", "Đỗ", "en")  # Đỗ Quang Huy
WEEK = date(2026, 11, 23)


async def join(harness: BotHarness) -> None:
    async with harness.database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
    for user, phone in ((LAN, "0912000004"), (HUY, "0912000005")):
        await harness.join(user, phone)


async def question_of(harness: BotHarness, shown: dict[str, Any]) -> tuple[int, int, Question]:
    """The round, the place and the question behind a question message, read from the database."""
    _prefix, attempt_id, index, _option = buttons(shown)[0]["callback_data"].split(":")
    async with harness.database.unit_of_work() as session:
        attempt = await session.get(QuizAttempt, int(attempt_id))
        assert attempt is not None
        bank = quizzes.bank_by_label(attempt.bank)
        assert bank is not None
        question = bank.question(quizzes.question_ids(attempt)[int(index)])
    assert question is not None
    return int(attempt_id), int(index), question


async def choose(harness: BotHarness, user: FakeUser, shown: dict[str, Any], option: int) -> dict[str, Any]:
    """Press an option; return the next new message (the next question or the score)."""
    data = next(b["callback_data"] for b in buttons(shown) if b["callback_data"].endswith(f":{option}"))
    before = len(harness.server.messages_to(user.id))
    await harness.server.inject(press(user, shown, data))
    await harness.server.wait_for(lambda: len(harness.server.messages_to(user.id)) > before)
    return harness.server.messages_to(user.id)[before]


def verdict_of(harness: BotHarness, user: FakeUser, shown: dict[str, Any]) -> dict[str, Any]:
    return next(
        m
        for m in reversed(harness.server.sent[user.id])
        if m["message_id"] == shown["message_id"] and m["_method"] == "editMessageText"
    )


async def answer_round(
    harness: BotHarness, user: FakeUser, first: dict[str, Any], *, right: int, locale: str
) -> dict[str, Any]:
    """Answer every question: the first `right` correctly, the others wrongly; return the score message."""
    shown = first
    for n in range(5):
        _attempt, index, question = await question_of(harness, shown)
        assert index == n and question.question.get(locale) in shown["text"]
        assert [b["text"] for b in buttons(shown)] == [o.get(locale) for o in question.options]
        chosen = question.answer if n < right else (question.answer + 1) % len(question.options)
        following = await choose(harness, user, shown, chosen)
        verdict = verdict_of(harness, user, shown)
        with use_locale(locale):
            mark = _("✅ Correct.") if n < right else _("✖ Not correct.")
        assert mark in verdict["text"] and question.explanation.get(locale) in verdict["text"]
        assert question.options[question.answer].get(locale) in verdict["text"]
        assert not buttons(verdict)
        shown = following
    return shown


async def test_a_practice_round_through_the_bot(harness: BotHarness) -> None:
    await join(harness)
    first = await harness.say(LAN, "/quiz")
    attempt_id, _index, question = await question_of(harness, first)
    with use_locale("vi"):
        assert first["text"] == "\n\n".join(
            [
                _("🎯 <b>Practice quiz</b> (does not count)"),
                _("<b>Question {n} of {total}</b>\n{question}").format(
                    n=1, total=5, question=esc(question.question.vi)
                ),
            ]
        )

    # Huy presses Lan's button (forged into his update): politely refused, nothing changes.
    forged = press(HUY, first, f"qz:{attempt_id}:0:{question.answer}")
    calls = len(harness.server.calls)
    sent = len(harness.server.sent[LAN.id])
    await harness.server.inject(forged)
    refusal = await harness.server.wait_for(
        lambda: next(
            (
                c
                for c in harness.server.calls[calls:]
                if c.method == "answerCallbackQuery"
                and c.params.get("callback_query_id") == forged["callback_query"]["id"]
            ),
            None,
        )
    )
    with use_locale("en"):
        assert refusal.params.get("text") == _("This button is no longer valid.")
    assert len(harness.server.sent[LAN.id]) == sent
    async with harness.database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(QuizAnswer)) == 0

    score = await answer_round(harness, LAN, first, right=4, locale="vi")
    with use_locale("vi"):
        expected = _(
            "🎯 Practice round finished: {score}/{total}. It does not count; send /quiz for another."
        ).format(score=4, total=5)
    assert score["text"] == expected and "4/5" in score["text"]

    # Pressing an answered question again changes nothing.
    calls = len(harness.server.calls)
    again = press(LAN, first, f"qz:{attempt_id}:0:{question.answer}")
    await harness.server.inject(again)
    stale = await harness.server.wait_for(
        lambda: next(
            (c for c in harness.server.calls[calls:] if c.method == "answerCallbackQuery"),
            None,
        )
    )
    with use_locale("vi"):
        assert stale.params.get("text") == _("You have already answered this question.")
    async with harness.database.unit_of_work() as session:
        attempt = await session.get(QuizAttempt, attempt_id)
        assert attempt is not None
        assert (attempt.practice, attempt.week, attempt.score, attempt.answered) == (True, None, 4, 5)
        assert await session.scalar(select(func.count()).select_from(QuizAnswer)) == 5


def scheduler_message(user: FakeUser, week: date) -> dict[str, Any]:
    """What the scheduler's weekly message looks like: a button that starts that week's round."""
    return {
        "message_id": 1,
        "date": int(time.time()),
        "chat": user.private_chat(),
        "from": BOT_USER,
        "text": "Weekly quiz",
        "reply_markup": {
            "inline_keyboard": [[{"text": "Start", "callback_data": f"qz:start:{week.isoformat()}"}]]
        },
    }


async def test_the_weekly_round_counts_once(harness: BotHarness) -> None:
    await join(harness)
    invitation = scheduler_message(HUY, WEEK)
    start = f"qz:start:{WEEK.isoformat()}"
    first = await harness.send(press(HUY, invitation, start), to_chat=HUY.id)
    attempt_id, _index, question = await question_of(harness, first)
    with use_locale("en"):
        assert first["text"].startswith(_("📝 <b>Weekly quiz</b>, week of {week}").split("{")[0])
        assert (
            _("<b>Question {n} of {total}</b>\n{question}").format(
                n=1, total=5, question=esc(question.question.en)
            )
            in first["text"]
        )
    second = await choose(harness, HUY, first, question.answer)
    # Pressing the start button again mid-way resumes the same round at its next question.
    resumed = await harness.send(press(HUY, invitation, start), to_chat=HUY.id)
    assert buttons(resumed) == buttons(second) and resumed["text"] == second["text"]
    score = await answer_round_from(harness, HUY, resumed, start_index=1)
    with use_locale("en"):
        assert score["text"] == _("📝 This week's quiz is done: {score}/{total}. Thank you!").format(
            score=5, total=5
        )
    # A third press reports the score; nothing new is counted.
    done = await harness.send(press(HUY, invitation, start), to_chat=HUY.id)
    with use_locale("en"):
        assert done["text"] == _("You have already done this week's quiz: {score}/{total}.").format(
            score=5, total=5
        )
    assert not buttons(done)
    async with harness.database.unit_of_work() as session:
        owner = await session.scalar(select(Official.id).where(Official.phone == "+84912000005"))
        assert owner is not None
        weekly = await quizzes.weekly_attempt(session, official_id=owner, week=WEEK)
        rounds = await session.scalar(select(func.count()).select_from(QuizAttempt))
    assert rounds == 1
    assert weekly is not None and weekly.id == attempt_id and (weekly.score, weekly.answered) == (5, 5)
    assert weekly.finished_at is not None and not weekly.practice


async def answer_round_from(
    harness: BotHarness, user: FakeUser, shown: dict[str, Any], *, start_index: int
) -> dict[str, Any]:
    for n in range(start_index, 5):
        _attempt, index, question = await question_of(harness, shown)
        assert index == n
        shown = await choose(harness, user, shown, question.answer)
    return shown
