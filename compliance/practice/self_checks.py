"""What officials do with the bot's daily practice: mark a reminder read, mute it for leave, and answer
the weekly self-check (changeable until the deadline; a late completion is kept as late)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.pledge.signing import version_by_id
from compliance.pledge.templates import PledgeItem
from compliance.text import clean_text
from storage.clock import utcnow
from storage.models_practice import DailyReminder, ReminderMute, SelfCheck, SelfCheckAnswer

ANSWERS = ("yes", "partly", "no")
SCORES = {"yes": 2, "partly": 1, "no": 0}
MAX_NOTE = 500


async def mark_reminder_read(session: AsyncSession, *, official_id: int, day: date, now: datetime) -> bool:
    """True the first time; pressing again (or on someone else's forwarded copy) changes nothing."""
    reminder = await session.scalar(
        select(DailyReminder).where(DailyReminder.official_id == official_id, DailyReminder.day == day)
    )
    if reminder is None or reminder.read_at is not None:
        return False
    reminder.read_at = now
    return True


async def mute_reminders(session: AsyncSession, *, official_id: int, until: date) -> None:
    row = await session.scalar(select(ReminderMute).where(ReminderMute.official_id == official_id))
    if row is None:
        session.add(ReminderMute(official_id=official_id, until=until))
    else:
        row.until = until


async def unmute_reminders(session: AsyncSession, *, official_id: int) -> bool:
    row = await session.scalar(select(ReminderMute).where(ReminderMute.official_id == official_id))
    if row is None:
        return False
    await session.delete(row)
    return True


async def muted_until(session: AsyncSession, *, official_id: int, today: date) -> date | None:
    row = await session.scalar(select(ReminderMute).where(ReminderMute.official_id == official_id))
    return row.until if row is not None and row.until >= today else None


@dataclass(frozen=True)
class SelfCheckView:
    id: int
    week: date
    deadline_at: datetime
    status: str  # open | done | late | missed
    answers: dict[str, Any]
    note: str | None
    items: tuple[PledgeItem, ...]
    title_vi: str
    title_en: str

    @property
    def next_unanswered(self) -> int | None:
        return next((n for n, item in enumerate(self.items) if item.id not in self.answers), None)

    def editable(self, now: datetime) -> bool:
        """Answers change until the deadline; after it only an unfinished check may still be completed."""
        return now <= self.deadline_at or self.status == "missed"


async def _view(session: AsyncSession, check: SelfCheck) -> SelfCheckView:
    version = await version_by_id(session, check.pledge_version_id)
    assert version is not None
    return SelfCheckView(
        check.id,
        check.week,
        check.deadline_at,
        check.status,
        dict(check.answers),
        check.note,
        tuple(version.template.items),
        version.template.title.vi,
        version.template.title.en,
    )


async def current_selfcheck(session: AsyncSession, *, official_id: int) -> SelfCheckView | None:
    """The newest week's self-check of this official, whatever its state."""
    check = await session.scalar(
        select(SelfCheck).where(SelfCheck.official_id == official_id).order_by(SelfCheck.week.desc()).limit(1)
    )
    return await _view(session, check) if check else None


class AnswerOutcome(enum.Enum):
    SAVED = "saved"
    COMPLETED = "completed"
    CLOSED = "closed"
    INVALID = "invalid"


async def answer_selfcheck(
    session: AsyncSession,
    *,
    check_id: int,
    official_id: int,
    item_index: int,
    answer: str,
    now: datetime | None = None,
) -> tuple[AnswerOutcome, SelfCheckView | None]:
    now = now or utcnow()
    check = await session.get(SelfCheck, check_id)
    if check is None or check.official_id != official_id or answer not in ANSWERS:
        return AnswerOutcome.INVALID, None
    view = await _view(session, check)
    latest = await current_selfcheck(session, official_id=official_id)
    if not view.editable(now) or latest is None or latest.id != check.id:
        return AnswerOutcome.CLOSED, view
    if not 0 <= item_index < len(view.items):
        return AnswerOutcome.INVALID, view
    item_id = view.items[item_index].id
    check.answers = {**check.answers, item_id: answer}
    check.updated_at = now
    row = await session.scalar(
        select(SelfCheckAnswer).where(
            SelfCheckAnswer.self_check_id == check.id, SelfCheckAnswer.item_id == item_id
        )
    )
    if row is None:
        session.add(SelfCheckAnswer(self_check_id=check.id, item_id=item_id, score=SCORES[answer]))
    else:
        row.score = SCORES[answer]
    outcome = AnswerOutcome.SAVED
    if check.completed_at is None and all(item.id in check.answers for item in view.items):
        check.completed_at = now
        check.status = "done" if now <= check.deadline_at else "late"
        outcome = AnswerOutcome.COMPLETED
    await session.flush()
    return outcome, await _view(session, check)


class NoteOutcome(enum.Enum):
    SAVED = "saved"
    CLOSED = "closed"  # past the deadline, or not this person's self-check
    EMPTY = "empty"
    TOO_LONG = "too_long"  # refused whole: a note cut in the middle would say something else


async def note_selfcheck(
    session: AsyncSession, *, check_id: int, official_id: int, note: str, now: datetime | None = None
) -> NoteOutcome:
    now = now or utcnow()
    check = await session.get(SelfCheck, check_id)
    if (
        check is None
        or check.official_id != official_id
        or (now > check.deadline_at and check.status != "missed")
    ):
        return NoteOutcome.CLOSED
    text = clean_text(note)
    if not text:
        return NoteOutcome.EMPTY
    if len(text) > MAX_NOTE:
        return NoteOutcome.TOO_LONG
    check.note = text
    check.updated_at = now
    return NoteOutcome.SAVED
