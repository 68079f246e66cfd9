"""Lapses by name, for a unit's head: not signed, two self-checks missed in a row, no reminder read in the
period, unreachable. Four queries over the whole subtree, none per person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.pledges import VersionMap
from storage.models import Official, OfficialStatus, Unit
from storage.models_pledge import Signature
from storage.models_practice import DailyReminder, SelfCheck

if TYPE_CHECKING:
    from compliance.reports import Period


@dataclass(frozen=True)
class Lapse:
    official_id: int
    full_name: str
    unit_name: str
    kind: str  # not_signed | missed_twice | never_read | unreachable
    unit_id: int = 0


def _uid(unit_id: int | None) -> int:
    """Rows are filtered on unit membership, so their unit is never empty."""
    assert unit_id is not None
    return unit_id


async def lapses(
    session: AsyncSession,
    members: ColumnElement[bool],
    units: list[Unit],
    period: Period,
    versions: VersionMap,
) -> list[Lapse]:
    """Names, for the head only: not signed, two self-checks missed in a row, no reminder read,
    unreachable. Four queries over the whole subtree."""
    names = {u.id: u.name for u in units}
    connection = await session.connection()  # Core rows, as in _figures
    unreachable = Official.status == OfficialStatus.UNREACHABLE  # a flag: no enum conversion per row
    people = (
        await connection.execute(
            select(Official.id, Official.full_name, Official.unit_id, unreachable).where(
                members, Official.status.in_([OfficialStatus.ACTIVE, OfficialStatus.UNREACHABLE])
            )
        )
    ).all()
    unit_of = {official_id: unit_id for official_id, _, unit_id, _ in people}
    signatures = await connection.execute(
        select(Signature.official_id, Signature.pledge_version_id)
        .join(Official, Official.id == Signature.official_id)
        .where(members, Signature.on_behalf_of_unit.is_(False))
    )
    signed_current = {
        official_id
        for official_id, version_id in signatures
        if (version := versions.for_unit(unit_of.get(official_id))) is not None and version.id == version_id
    }
    # the last two weeks closed by the period's end, even when the period is a single week
    last_closed = period.end - timedelta(days=6)
    last_closed -= timedelta(days=last_closed.weekday())
    missed_twice = set(
        (
            await connection.scalars(
                select(SelfCheck.official_id)
                .join(Official, Official.id == SelfCheck.official_id)
                .where(
                    members,
                    SelfCheck.week.in_([last_closed - timedelta(days=7), last_closed]),
                    SelfCheck.status == "missed",
                )
                .group_by(SelfCheck.official_id)
                .having(func.count() == 2)
            )
        ).all()
    )
    never_read = set(
        (
            await connection.scalars(
                select(DailyReminder.official_id)
                .join(Official, Official.id == DailyReminder.official_id)
                .where(members, DailyReminder.day >= period.start, DailyReminder.day <= period.end)
                .group_by(DailyReminder.official_id)
                .having(func.sum(case((DailyReminder.read_at.is_not(None), 1), else_=0)) == 0)
            )
        ).all()
    )
    found: list[Lapse] = []
    for official_id, full_name, unit_id, is_unreachable in people:
        unit_name = names[_uid(unit_id)]
        if is_unreachable:
            found.append(Lapse(official_id, full_name, unit_name, "unreachable", _uid(unit_id)))
        if versions.for_unit(unit_id) is not None and official_id not in signed_current:
            found.append(Lapse(official_id, full_name, unit_name, "not_signed", _uid(unit_id)))
        if official_id in missed_twice:
            found.append(Lapse(official_id, full_name, unit_name, "missed_twice", _uid(unit_id)))
        if official_id in never_read:
            found.append(Lapse(official_id, full_name, unit_name, "never_read", _uid(unit_id)))
    return sorted(found, key=lambda lapse: (lapse.kind, lapse.unit_name, lapse.full_name))
