"""Monday's summary for every unit head (their subtree) and every admin (the office), planned by the tick."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.delivery.outbox import enqueue, plan_for_officials
from compliance.feedback.letters import LetterCounts
from compliance.office import staff_roll, zalo_groups
from compliance.office.accounts import Address, linked
from compliance.office.groups import weekly_summary_groups
from compliance.office.officials import Actor
from compliance.privacy import audit
from compliance.reports.citizens import ReportLetters, units_letters, weekly_stars
from compliance.reports.period import Period
from compliance.reports.rollup import Figures, Lapse, UnitLine, build_report
from compliance.reports.satisfaction import SatisfactionFigures
from compliance.reports.satisfaction_report import ReportSatisfaction, units_satisfaction
from storage.clock import utcnow
from storage.models import Channel, Official, OfficialStatus, Role, Unit
from storage.models_practice import SelfCheck


async def plan_weekly_summaries(session: AsyncSession, *, week: date) -> int:
    """Last week's figures to each head and admin, once per person and week (the dedupe key). One report of
    the whole office serves every head: each gets the subtree figures of their own unit."""
    period = Period(week - timedelta(days=7), week - timedelta(days=1))
    report = await build_report(session, root=None, period=period)
    lines = {line.unit_id: line for line in report.units}
    # The citizens' ratings of the same week, per unit: one grouped query for the whole office.
    satisfaction = await units_satisfaction(session, report.units, period)
    letters = await units_letters(session, report.units, period, root=None)
    readers = (
        await session.execute(
            select(Official.id, Official.role, Official.unit_id).where(
                Official.role.in_([Role.HEAD, Role.ADMIN]),
                Official.status == OfficialStatus.ACTIVE,
                linked(),
            )
        )
    ).all()
    unit_paths = await _unit_paths(session)
    groups = await _summary_groups(session)
    # The stars of the last quarter ended of each head's unit and each group's, and the whole office's
    # counts for those given the office's summary (the admins): the office's one ranking, kept for the
    # /reports of the same morning.
    heads_units = {unit_id for _id, role, unit_id in readers if role is not Role.ADMIN and unit_id in lines}
    office_readers = any(role is Role.ADMIN or unit_id not in lines for _id, role, unit_id in readers)
    weekly = await weekly_stars(
        session,
        day=week,
        unit_ids=sorted(heads_units | {unit_id for _to, _key, unit_id in groups}),
        office=office_readers,
    )
    stars = weekly.units
    planned = 0
    for official_id, role, unit_id in readers:
        if role is Role.ADMIN or unit_id is None or unit_id not in lines:
            payload = summary_payload(
                report.total,
                unit_name=None,
                period=period,
                lapses=len(report.lapses),
                satisfaction=satisfaction.total,
                satisfaction_before=satisfaction.previous_total,
                letters=letters.total,
            )
            if weekly.office is not None:
                payload["office_stars"] = weekly.office
        else:
            prefix = unit_paths[unit_id]
            lapses = sum(1 for lapse in report.lapses if unit_paths.get(lapse.unit_id, "").startswith(prefix))
            payload = summary_payload(
                lines[unit_id].subtree,
                unit_name=lines[unit_id].name,
                period=period,
                lapses=lapses,
                satisfaction=satisfaction.of(unit_id),
                satisfaction_before=satisfaction.before(unit_id),
                letters=letters.of(unit_id),
            )
            if unit_id in stars:
                payload["stars"] = stars[unit_id]
        planned += await plan_for_officials(
            session,
            kind="weekly_report",
            key_suffix=week.isoformat(),
            payload=payload,
            audience=Official.id == official_id,
        )
    planned += await _plan_group_summaries(
        session,
        week=week,
        period=period,
        groups=groups,
        lines=lines,
        figures=(satisfaction, letters),
        stars=stars,
    )
    return planned


GROUP_FIELDS = (
    "unit",
    "start",
    "end",
    "on_list",
    "joined",
    "signed",
    "checks_done",
    "check_slots",
    "signed_rate",
    "on_time",
    "late",
    "missed",
    "quiz_rate",
    "read_rate",
    # The unit's citizens' ratings and index: figures only (never a comment in a group).
    "ratings",
    "satisfaction_index",
    "previous_index",
    # The unit's letters to citizens: counts only (never the citizen's name).
    "apologies",
    "apologies_on_time",
    "thanks",
)


async def _summary_groups(session: AsyncSession) -> list[tuple[Address, str, int]]:
    """(address, dedupe key prefix, unit) of each linked Telegram group whose head turned the weekly post on
    and each linked Zalo group."""
    groups = [
        (Address.telegram(chat_id), f"group_weekly:{chat_id}", unit_id)
        for chat_id, unit_id in await weekly_summary_groups(session)
    ]
    # A linked Zalo group (only linkable with ZALO_GROUPS on) gets the same payload, so the same figures.
    groups += [
        (Address(Channel.ZALO, chat_id), f"zalo_group_weekly:{chat_id}", unit_id)
        for chat_id, unit_id in await zalo_groups.weekly_summary_groups(session)
    ]
    return groups


async def _plan_group_summaries(
    session: AsyncSession,
    *,
    week: date,
    period: Period,
    groups: list[tuple[Address, str, int]],
    lines: dict[int, UnitLine],
    figures: tuple[ReportSatisfaction, ReportLetters],
    stars: dict[int, dict[str, object]],
) -> int:
    """The unit's aggregate to each group: counts and percentages only, so no lapse count either (in a
    small unit a count of lapses points at people), and the unit's stars of the last quarter ended."""
    satisfaction, letters = figures
    planned = 0
    for to, prefix, unit_id in groups:
        line = lines.get(unit_id)
        if line is None:
            continue
        full = summary_payload(
            line.subtree,
            unit_name=line.name,
            period=period,
            lapses=0,
            satisfaction=satisfaction.of(unit_id),
            satisfaction_before=satisfaction.before(unit_id),
            letters=letters.of(unit_id),
        )
        payload = {key: full[key] for key in GROUP_FIELDS}
        if unit_id in stars:
            payload["stars"] = stars[unit_id]
        planned += await enqueue(
            session, dedupe_key=f"{prefix}:{week.isoformat()}", kind="group_weekly", to=to, payload=payload
        )
    return planned


async def _unit_paths(session: AsyncSession) -> dict[int, str]:
    return {unit_id: path for unit_id, path in (await session.execute(select(Unit.id, Unit.path))).all()}


NUDGE_ORDER = ("overdue", "not_signed", "missed_twice", "never_read")
UNREACHED = ("unreachable", "not_joined")  # the bot has no chat with them to nudge in


async def plan_nudges(
    session: AsyncSession,
    *,
    lapses: list[Lapse],
    day: date,
    actor: Actor | None = None,
    scope: Unit | None = None,
) -> int:
    """A short reminder to each person with a lapse, at most once a day each (the dedupe key); those who
    blocked the bot or never joined it are left out. The most pressing lapse names the message. The head
    or admin who asked (`actor`, for the report of `scope`, None: the office) is written in the audit
    log."""
    planned = 0
    remaining = {lapse.official_id for lapse in lapses if lapse.kind not in UNREACHED}
    for kind in NUDGE_ORDER:
        ids = sorted({lapse.official_id for lapse in lapses if lapse.kind == kind} & remaining)
        remaining -= set(ids)
        for start in range(0, len(ids), 500):
            planned += await plan_for_officials(
                session,
                kind="nudge",
                key_suffix=day.isoformat(),
                payload={"lapse": kind},
                audience=Official.id.in_(ids[start : start + 500]),
            )
    await audit.record(
        session,
        actor=actor,
        action="report.nudge",
        subject=f"unit:{scope.id}" if scope else "office",
        after={
            "day": day.isoformat(),
            "lapses": len({lapse.official_id for lapse in lapses}),
            "planned": planned,
        },
    )
    return planned


def summary_payload(
    line_or_total: Figures,
    *,
    unit_name: str | None,
    period: Period,
    lapses: int,
    satisfaction: SatisfactionFigures | None = None,
    satisfaction_before: SatisfactionFigures | None = None,
    letters: LetterCounts | None = None,
) -> dict[str, object]:
    """A week's figures as plain data, for the outbox: the message is rendered in its reader's language."""
    f = line_or_total
    return {
        "unit": unit_name,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "on_list": f.on_list,
        "joined": f.joined,
        "signed": f.signed,
        "checks_done": f.checks_done,
        "check_slots": f.check_slots,
        "signed_rate": f.signed_rate,
        "on_time": f.checks_on_time,
        "late": f.checks_late,
        "missed": f.checks_missed,
        "quiz_rate": f.quiz_rate,
        "quiz_average": f.quiz_average,
        "read_rate": f.read_rate,
        "lapses": lapses,
        "ratings": satisfaction.ratings if satisfaction is not None else 0,
        "satisfaction_index": satisfaction.index if satisfaction is not None else None,
        # The week before's index, for the trend (None: no rating that week).
        "previous_index": satisfaction_before.index if satisfaction_before is not None else None,
        "flags_open": satisfaction.flags_open if satisfaction is not None else 0,
        "apologies": letters.apologies if letters is not None else 0,
        "apologies_on_time": letters.on_time if letters is not None else 0,
        "thanks": letters.thanks if letters is not None else 0,
    }


async def on_time_by_week(
    session: AsyncSession, *, root: Unit | None, mondays: list[date]
) -> dict[date, float | None]:
    """The share of self-checks done on time, per week, among the people on the list now in a subtree:
    one grouped query."""
    query = (
        select(SelfCheck.week, SelfCheck.status, func.count())
        .join(Official, Official.id == SelfCheck.official_id)
        .where(
            SelfCheck.week.in_(mondays),
            SelfCheck.status.in_(["done", "late", "missed"]),
            staff_roll.within(root),
            staff_roll.on_list(utcnow()),
        )
        .group_by(SelfCheck.week, SelfCheck.status)
    )
    counts: dict[date, list[int]] = {week: [0, 0] for week in mondays}
    for week, status, count in await session.execute(query):
        counts[week][1] += int(count)
        if status == "done":
            counts[week][0] += int(count)
    return {week: (done / due if due else None) for week, (done, due) in counts.items()}
