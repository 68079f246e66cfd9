"""The tick: what is due now becomes outbox rows, once; what fell due on an earlier day is recorded as
skipped, never sent late.

Every event of a day (or of a week) is remembered in planned_events under its kind, the schedule value
it ran at and its day, so a restart, a second replica or a tick every minute plans nothing twice; the
outbox's dedupe keys guard every single message as well.

Past events nobody recorded are not always a sign of downtime: on a fresh database, or when a schedule
changes (its new value is a new scope), the past week's events under it were simply never due. So each
tick leaves its time in planned_events (kind "tick", one row a day), and only events that fell due after
the last tick, when that tick is more than a few periods old, are reported as skipped while the bot was
down; the others are recorded as skipped quietly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.broadcasts.followup import plan_auto_reminders
from compliance.pledge import campaigns
from compliance.pledge.reminders import notify_overdue, plan_deadline_reminders
from compliance.pledge.signing import VersionMap, versions_by_unit
from compliance.practice.calendar import WorkCalendar
from compliance.practice.planning import (
    Audience,
    nudge_selfchecks,
    open_selfchecks,
    plan_quiz_prompts,
    plan_reminders,
)
from compliance.practice.schedules import ScheduleMap, as_time, load_schedules
from compliance.reports.weekly import plan_weekly_summaries
from storage.clock import utcnow
from storage.engine import dialect_of
from storage.models_practice import PlannedEvent, SelfCheck

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LOOKBACK_DAYS = 7
NUDGE_AFTER_OPENING = timedelta(hours=1)


TICK_PERIOD = timedelta(minutes=1)
DOWN_AFTER_PERIODS = 3  # a tick late by more than this many periods means the bot (or its database) was down
HEARTBEAT = "tick"


@dataclass
class TickReport:
    planned: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    skipped: list[tuple[str, str, date]] = field(default_factory=list)  # fell due while the bot was down
    passed: int = 0  # past events that were never due (a fresh database, a changed schedule): not news
    closed: int = 0
    # what earlier ticks already planned or skipped, loaded once: (kind, scope, day)
    recorded: set[tuple[str, str, date]] = field(default_factory=set)
    # the previous tick, when it is so long ago that the bot was down in between
    down_since: datetime | None = None


def local_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL_TZ)


def at_local(day: date, clock: str) -> datetime:
    return datetime.combine(day, as_time(clock), LOCAL_TZ)


async def _recorded(session: AsyncSession, kind: str, scope: str, day: date) -> bool:
    found = await session.scalar(
        select(PlannedEvent.id).where(
            PlannedEvent.kind == kind, PlannedEvent.scope == scope, PlannedEvent.day == day
        )
    )
    return found is not None


async def _record(
    session: AsyncSession, kind: str, scope: str, day: date, status: str, planned: int, now: datetime
) -> None:
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    await session.execute(
        insert(PlannedEvent)
        .values(kind=kind, scope=scope, day=day, status=status, planned=planned, at=now)
        .on_conflict_do_nothing(index_elements=["kind", "scope", "day"])
    )


async def _run_event(
    session: AsyncSession,
    report: TickReport,
    *,
    kind: str,
    scope: str,
    key_day: date,
    due: datetime | None,
    now: datetime,
    action: Callable[[], Awaitable[int]],
) -> None:
    """Plan an event once when it is due today; record it as skipped if it fell due on an earlier day."""
    if due is None or (kind, scope, key_day) in report.recorded:
        return
    today = now.astimezone(LOCAL_TZ).date()
    due_day = due.astimezone(LOCAL_TZ).date()
    if due_day < today:
        await _record(session, kind, scope, key_day, "skipped", 0, now)
        report.recorded.add((kind, scope, key_day))
        if report.down_since is not None and due > report.down_since:
            report.skipped.append((kind, scope, key_day))
        else:
            report.passed += 1
    elif due_day == today and now >= due:
        planned = await action()
        await _record(session, kind, scope, key_day, "done", planned, now)
        report.recorded.add((kind, scope, key_day))
        report.planned[kind] += planned


def _group(units: Iterable[int], key_of: Callable[[int | None], str]) -> dict[str, Audience]:
    """Units grouped by the schedule value an event runs at (the office default among them)."""
    grouped: dict[str, list[int]] = defaultdict(list)
    for unit_id in units:
        grouped[key_of(unit_id)].append(unit_id)
    office_key = key_of(None)
    keys = set(grouped) | {office_key}
    return {key: Audience(tuple(grouped.get(key, []))) for key in keys}


async def _heartbeat(session: AsyncSession, now: datetime, period: timedelta) -> datetime | None:
    """Leave this tick's time; return the previous tick's when it is too old for the bot to have run."""
    last = await session.scalar(
        select(PlannedEvent.at)
        .where(PlannedEvent.kind == HEARTBEAT)
        .order_by(PlannedEvent.at.desc())
        .limit(1)
    )
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    statement = insert(PlannedEvent).values(
        kind=HEARTBEAT, scope="last", day=now.astimezone(LOCAL_TZ).date(), status="done", planned=0, at=now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["kind", "scope", "day"], set_={"at": statement.excluded.at}
        )
    )
    # No earlier tick: a first start, with nothing that could have been missed.
    return last if last is not None and now - last > DOWN_AFTER_PERIODS * period else None


async def tick(
    session: AsyncSession, *, now: datetime | None = None, period: timedelta = TICK_PERIOD
) -> TickReport:
    now = now or utcnow()
    today = now.astimezone(LOCAL_TZ).date()
    calendar = await WorkCalendar.load(
        session, start=today - timedelta(days=LOOKBACK_DAYS + 7), end=today + timedelta(days=7)
    )
    schedules = await load_schedules(session)
    versions = await versions_by_unit(session)
    report = TickReport(down_since=await _heartbeat(session, now, period))
    since = today - timedelta(days=LOOKBACK_DAYS + 14)
    for kind, scope, day in (
        await session.execute(
            select(PlannedEvent.kind, PlannedEvent.scope, PlannedEvent.day).where(PlannedEvent.day >= since)
        )
    ).all():
        report.recorded.add((kind, scope, day))
    report.closed = await close_overdue_selfchecks(session, now=now)
    units = list(schedules.by_unit)
    await _daily_reminders(session, report, now, today, calendar, schedules, versions, units)
    await _overdue_notices(session, report, now, today, calendar, schedules, versions)
    for week in (calendar.week_start(today) - timedelta(days=7), calendar.week_start(today)):
        await _weekly_events(session, report, now, week, calendar, schedules, versions, units)
    reminded = await plan_auto_reminders(session, now=now)
    if reminded:
        report.planned["broadcast_remind"] += reminded
    return report


async def _daily_reminders(
    session: AsyncSession,
    report: TickReport,
    now: datetime,
    today: date,
    calendar: WorkCalendar,
    schedules: ScheduleMap,
    versions: VersionMap,
    units: list[int],
) -> None:
    for clock, audience in _group(units, lambda u: schedules.for_unit(u).reminder_time).items():
        for back in range(LOOKBACK_DAYS, -1, -1):
            day = today - timedelta(days=back)
            if not calendar.is_working_day(day):
                continue
            await _run_event(
                session,
                report,
                kind="reminder",
                scope=f"at {clock}",
                key_day=day,
                due=at_local(day, clock),
                now=now,
                action=partial(_reminders_of_day, session, day, audience, versions, now),
            )


async def _reminders_of_day(
    session: AsyncSession, day: date, audience: Audience, versions: VersionMap, now: datetime
) -> int:
    # Deadlines first: their reminder takes the day's key, so a person gets the one naming their deadline.
    planned = await plan_deadline_reminders(session, day, audience.unit_ids, versions, now)
    codes = {u: v.code for u in audience.unit_ids if (v := versions.for_unit(u)) is not None}
    since = await campaigns.starts_by_unit(session, at=now, codes=codes)
    return planned + await plan_reminders(session, day, audience, versions, since)


async def _overdue_notices(
    session: AsyncSession,
    report: TickReport,
    now: datetime,
    today: date,
    calendar: WorkCalendar,
    schedules: ScheduleMap,
    versions: VersionMap,
) -> None:
    """Heads hear of overdue joiners once a working day, at the office's reminder time (not at midnight,
    and not a query every minute): whoever is overdue and not yet reported is, once (overdue_notices)."""
    if not calendar.is_working_day(today):
        return
    clock = schedules.office.reminder_time
    await _run_event(
        session,
        report,
        kind="sign_overdue",
        scope=f"at {clock}",
        key_day=today,
        due=at_local(today, clock),
        now=now,
        action=partial(notify_overdue, session, versions, now=now),
    )


async def _weekly_events(
    session: AsyncSession,
    report: TickReport,
    now: datetime,
    week: date,
    calendar: WorkCalendar,
    schedules: ScheduleMap,
    versions: VersionMap,
    units: list[int],
) -> None:
    last_day = calendar.last_working_day_of_week(week)
    if last_day is None:
        return  # a week without working days (Tết) has no self-check and no quiz

    def opening(unit_id: int | None) -> str:
        s = schedules.for_unit(unit_id)
        return " ".join(
            (str(s.selfcheck_open_weekday), s.selfcheck_open_time, s.selfcheck_deadline_time, s.reminder_time)
        )

    for key, audience in _group(units, opening).items():
        weekday, open_clock, deadline_clock, morning_clock = key.split(" ")
        open_day = min(week + timedelta(days=int(weekday)), last_day)
        opens, deadline = at_local(open_day, open_clock), at_local(last_day, deadline_clock)
        await _run_event(
            session,
            report,
            kind="selfcheck_open",
            scope=key,
            key_day=week,
            due=opens if opens < deadline else None,
            now=now,
            action=partial(open_selfchecks, session, week, deadline, audience, versions, now),
        )
        # One nudge on the morning of the deadline day, to those not finished; when the self-check only
        # opens that day, an hour after it opens (a nudge before the opening would reach nobody).
        nudge = max(at_local(last_day, morning_clock), opens + NUDGE_AFTER_OPENING)
        await _run_event(
            session,
            report,
            kind="selfcheck_nudge",
            scope=key,
            key_day=week,
            due=nudge if nudge < deadline else None,
            now=now,
            action=partial(nudge_selfchecks, session, week, audience),
        )

    office = schedules.office
    summary_day = week + timedelta(days=office.summary_weekday)
    await _run_event(
        session,
        report,
        kind="weekly_report",
        scope=f"{office.summary_weekday} {office.summary_time}",
        key_day=week,
        due=at_local(summary_day, office.summary_time),
        now=now,
        action=partial(plan_weekly_summaries, session, week=week),
    )

    def quiz_key(unit_id: int | None) -> str:
        s = schedules.for_unit(unit_id)
        return f"{s.quiz_weekday} {s.quiz_time}"

    for key, audience in _group(units, quiz_key).items():
        weekday, clock = key.split(" ")
        quiz_day = next(
            (
                d
                for d in (week + timedelta(days=n) for n in range(int(weekday), 7))
                if calendar.is_working_day(d)
            ),
            None,
        )
        await _run_event(
            session,
            report,
            kind="quiz",
            scope=key,
            key_day=week,
            due=at_local(quiz_day, clock) if quiz_day else None,
            now=now,
            action=partial(plan_quiz_prompts, session, week, audience),
        )


async def close_overdue_selfchecks(session: AsyncSession, *, now: datetime) -> int:
    """After the deadline the week is closed: an unfinished self-check is recorded as missed."""
    result = await session.execute(
        update(SelfCheck)
        .where(SelfCheck.status == "open", SelfCheck.deadline_at <= now)
        .values(status="missed", updated_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
