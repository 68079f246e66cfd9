"""What each scheduled event plans: rows in daily_reminders and self_checks, and outbox messages, all
built in SQL for whole groups of units at once (a province is tens of thousands of officials)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, exists, literal, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.delivery.outbox import plan_for_officials
from compliance.office import staff_roll
from compliance.pledge.signing import Version, VersionMap
from compliance.privacy.consent import consented
from storage.clock import utcnow
from storage.engine import dialect_of
from storage.models import Official
from storage.models_pledge import Signature
from storage.models_practice import DailyReminder, ReminderMute, SelfCheck

CHUNK = 500


@dataclass(frozen=True)
class Audience:
    """The units whose officials an event reaches. Only people in a unit, on a staff list: an admin of
    ADMIN_IDS on no list gets no reminder, self-check or quiz (compliance.office.staff_roll)."""

    unit_ids: tuple[int, ...]

    def conditions(self) -> list[ColumnElement[bool]]:
        return [
            Official.unit_id.in_(self.unit_ids[i : i + CHUNK]) for i in range(0, len(self.unit_ids), CHUNK)
        ]


def _by_version(audience: Audience, versions: VersionMap) -> dict[int, tuple[Version, Audience]]:
    split: dict[int, tuple[Version, list[int]]] = {}
    for unit_id in audience.unit_ids:
        version = versions.for_unit(unit_id)
        if version is not None:
            split.setdefault(version.id, (version, []))[1].append(unit_id)
    return {vid: (v, Audience(tuple(ids))) for vid, (v, ids) in split.items()}


def _by_version_and_start(
    audience: Audience, versions: VersionMap, since: Mapping[int, datetime]
) -> list[tuple[Version, datetime | None, Audience]]:
    """As _by_version, each group split again by the start of a yearly campaign over its units (from
    then on only a new signature counts: compliance.pledge.campaigns)."""
    split: dict[tuple[int, datetime | None], tuple[Version, list[int]]] = {}
    for unit_id in audience.unit_ids:
        version = versions.for_unit(unit_id)
        if version is not None:
            split.setdefault((version.id, since.get(unit_id)), (version, []))[1].append(unit_id)
    return [(v, start, Audience(tuple(ids))) for (_vid, start), (v, ids) in split.items()]


def _not_muted(day: date) -> ColumnElement[bool]:
    return ~exists().where(ReminderMute.official_id == Official.id, ReminderMute.until >= day)


def _has_signed(version_id: int, since: datetime | None = None) -> ColumnElement[bool]:
    return exists().where(
        Signature.official_id == Official.id,
        Signature.pledge_version_id == version_id,
        Signature.on_behalf_of_unit.is_(False),
        Signature.signed_at >= since if since is not None else true(),
    )


def _reachable() -> ColumnElement[bool]:
    # Without a current consent nothing is planned for a person, not even the day's reminder row.
    return and_(staff_roll.staff_recipient(), consented())


async def plan_reminders(
    session: AsyncSession,
    day: date,
    audience: Audience,
    versions: VersionMap,
    since: Mapping[int, datetime] | None = None,
) -> int:
    """The daily reminder: the item of the day for those who signed, a request to sign for the others.
    `since`: units under a yearly campaign, from when a signature counts there."""
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    planned = 0
    for version, start, part in _by_version_and_start(audience, versions, since or {}):
        items = version.template.items
        index = day.toordinal() % len(items)
        item = items[index]
        for where in part.conditions():
            for signed in (True, False):
                who = and_(
                    where,
                    _reachable(),
                    _not_muted(day),
                    _has_signed(version.id, start) if signed else ~_has_signed(version.id, start),
                )
                await session.execute(
                    insert(DailyReminder)
                    .from_select(
                        ["official_id", "day", "kind", "pledge_version_id", "item_id", "created_at"],
                        select(
                            Official.id,
                            literal(day, type_=DailyReminder.day.type),
                            literal("item" if signed else "sign"),
                            literal(version.id),
                            literal(item.id if signed else None, type_=DailyReminder.item_id.type),
                            literal(utcnow(), type_=DailyReminder.created_at.type),
                        ).where(who),
                    )
                    .on_conflict_do_nothing(index_elements=["official_id", "day"])
                )
                payload = (
                    {
                        "day": day.isoformat(),
                        "kind": "item",
                        "number": index + 1,
                        "vi": item.text.vi,
                        "en": item.text.en,
                    }
                    if signed
                    else {
                        "day": day.isoformat(),
                        "kind": "sign",
                        "title_vi": version.template.title.vi,
                        "title_en": version.template.title.en,
                    }
                )
                planned += await plan_for_officials(
                    session, kind="reminder", key_suffix=day.isoformat(), payload=payload, audience=who
                )
    return planned


async def open_selfchecks(
    session: AsyncSession,
    week: date,
    deadline: datetime,
    audience: Audience,
    versions: VersionMap,
    now: datetime,
) -> int:
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    planned = 0
    for version, part in _by_version(audience, versions).values():
        for where in part.conditions():
            who = and_(where, _reachable())
            await session.execute(
                insert(SelfCheck)
                .from_select(
                    [
                        "official_id",
                        "week",
                        "pledge_version_id",
                        "answers",
                        "status",
                        "opened_at",
                        "deadline_at",
                        "updated_at",
                    ],
                    select(
                        Official.id,
                        literal(week, type_=SelfCheck.week.type),
                        literal(version.id),
                        literal({}, type_=SelfCheck.answers.type),
                        literal("open"),
                        literal(now, type_=SelfCheck.opened_at.type),
                        literal(deadline, type_=SelfCheck.deadline_at.type),
                        literal(now, type_=SelfCheck.updated_at.type),
                    ).where(who),
                )
                .on_conflict_do_nothing(index_elements=["official_id", "week"])
            )
            planned += await plan_for_officials(
                session,
                kind="selfcheck_open",
                key_suffix=week.isoformat(),
                payload={"week": week.isoformat(), "deadline": deadline.isoformat()},
                audience=who,
            )
    return planned


async def nudge_selfchecks(session: AsyncSession, week: date, audience: Audience) -> int:
    unfinished = exists().where(
        SelfCheck.official_id == Official.id, SelfCheck.week == week, SelfCheck.status == "open"
    )
    planned = 0
    for where in audience.conditions():
        planned += await plan_for_officials(
            session,
            kind="selfcheck_nudge",
            key_suffix=week.isoformat(),
            payload={"week": week.isoformat()},
            audience=and_(where, unfinished),
        )
    return planned


async def plan_quiz_prompts(session: AsyncSession, week: date, audience: Audience) -> int:
    planned = 0
    for where in audience.conditions():
        planned += await plan_for_officials(
            session,
            kind="quiz",
            key_suffix=week.isoformat(),
            payload={"week": week.isoformat()},
            audience=where,
        )
    return planned
