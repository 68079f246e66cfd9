"""Daily practice: the calendar, schedules, reminders, weekly self-checks and quizzes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class CalendarOverride(Base):
    """An admin's exception to the national calendar: an extra day off, or a make-up working day."""

    __tablename__ = "calendar_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # "off" | "workday"
    note: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OfficialCalendarDay(Base):
    """A day off or make-up working day the government announced, loaded from a calendar file
    (content/calendar/*.yaml) with the document it comes from. It is applied over the `holidays`
    package's answer for that day; an office's CalendarOverride of the day still wins."""

    __tablename__ = "official_calendar_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # "off" | "workday"
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    source: Mapped[dict[str, Any]] = mapped_column()  # compliance.sources.Source.to_json()
    dataset: Mapped[str] = mapped_column(String(60))  # the file's "vn-2026"
    revision: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Schedule(Base):
    """When things happen, in Asia/Ho_Chi_Minh: the office default (unit_id empty) or a unit's override.

    In an override, an empty field inherits from the unit above. Times are "HH:MM"; weekdays 0 = Monday.
    """

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), unique=True)
    reminder_time: Mapped[str | None] = mapped_column(String(5))
    selfcheck_open_weekday: Mapped[int | None] = mapped_column(Integer)
    selfcheck_open_time: Mapped[str | None] = mapped_column(String(5))
    selfcheck_deadline_time: Mapped[str | None] = mapped_column(String(5))
    quiz_weekday: Mapped[int | None] = mapped_column(Integer)
    quiz_time: Mapped[str | None] = mapped_column(String(5))
    summary_weekday: Mapped[int | None] = mapped_column(Integer)
    summary_time: Mapped[str | None] = mapped_column(String(5))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PlannedEvent(Base):
    """That a scheduled event of a day was planned (or skipped after downtime): the tick's memory."""

    __tablename__ = "planned_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    scope: Mapped[str] = mapped_column(String(40))  # "office" or "unit:<id>"
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))  # "done" | "skipped"
    planned: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("uq_planned_events", "kind", "scope", "day", unique=True),)


class ReminderMute(Base):
    __tablename__ = "reminder_mutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), unique=True)
    until: Mapped[date] = mapped_column(Date)  # inclusive, local date
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DailyReminder(Base):
    """One daily reminder to one official, and when they marked it read (for the reports)."""

    __tablename__ = "daily_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "item" | "sign"
    pledge_version_id: Mapped[int | None] = mapped_column(ForeignKey("pledge_versions.id"))
    item_id: Mapped[str | None] = mapped_column(String(40))
    read_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("uq_daily_reminders_official_day", "official_id", "day", unique=True),)


class SelfCheck(Base):
    """One official's weekly self-assessment against the pledge items of their version."""

    __tablename__ = "self_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"))
    week: Mapped[date] = mapped_column(Date, index=True)  # the Monday of the week
    pledge_version_id: Mapped[int] = mapped_column(ForeignKey("pledge_versions.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)  # item id -> "yes" | "partly" | "no"
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | done | missed
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("uq_self_checks_official_week", "official_id", "week", unique=True),
        # the reports count statuses per week and person (the chart's weekly line: eight weeks of a
        # province, 370 000 rows): from this index alone, without reading the rows and their answers
        Index("ix_self_checks_week_status_official", "week", "status", "official_id"),
    )


class QuizAttempt(Base):
    """A round of quiz questions: the weekly one (counted) or a practice round (not counted)."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    week: Mapped[date | None] = mapped_column(Date, index=True)  # the Monday; empty for practice
    practice: Mapped[bool] = mapped_column(default=False)
    bank: Mapped[str] = mapped_column(String(60))  # code-version of the question bank
    question_ids: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"ids": [...]} in asking order
    score: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()


class QuizAnswer(Base):
    __tablename__ = "quiz_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"), index=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(40))
    chosen: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column()
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("uq_quiz_answers_attempt_question", "attempt_id", "question_id", unique=True),)


class SelfCheckAnswer(Base):
    """One answer of a self-check, kept as a row as well, so reports average each item in SQL."""

    __tablename__ = "self_check_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    self_check_id: Mapped[int] = mapped_column(ForeignKey("self_checks.id"))
    item_id: Mapped[str] = mapped_column(String(40))
    score: Mapped[int] = mapped_column(Integer)  # yes 2, partly 1, no 0

    __table_args__ = (Index("uq_self_check_answers_check_item", "self_check_id", "item_id", unique=True),)
