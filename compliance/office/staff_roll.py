"""Who counts for a unit and a period: the one definition behind every figure a head or admin sees.

A person counts for a unit at an instant when they are on its staff list then: in the unit (or a unit
below it), on the list by that instant (created_at), and not left or erased by then. Whether they joined the
bot, signed or did their self-checks is a state of a counted person, never a condition to be counted: a
head reads "signed 3/17", not "3 of the 4 who joined". An admin named by ADMIN_IDS who is on no staff list
belongs to no unit, so counts nowhere and receives nothing meant for the staff.

A period is read at its cut-off: the end of its last day in Viet Nam, or now while it runs. Every figure of
a period (on the list, joined, signed) is taken at that instant, so two periods compare like with like.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from compliance.office.accounts import linked
from compliance.reports.period import Period
from storage.clock import LOCAL_TZ, utcnow
from storage.models import Official, OfficialStatus, Unit
from storage.models_pledge import Signature

JOINED_STATES = (OfficialStatus.ACTIVE, OfficialStatus.UNREACHABLE)


def period_end(period: Period) -> datetime:
    """The instant the period's last local day ends."""
    return datetime.combine(period.end + timedelta(days=1), time(0), LOCAL_TZ)


def cutoff(period: Period) -> datetime:
    """The instant a period is read at: its end, or now while it runs."""
    return min(period_end(period), utcnow())


def within(root: Unit | None) -> ColumnElement[bool]:
    """People of the subtree (the whole office for None), as one condition: no lists of unit ids."""
    if root is None:
        return Official.unit_id.is_not(None)
    return Official.unit_id.in_(select(Unit.id).where(Unit.path.startswith(root.path)))


def among(
    members: ColumnElement[bool], *, whole: bool = False
) -> Callable[[ColumnElement[int] | InstrumentedAttribute[int]], ColumnElement[bool]]:
    """A condition on an activity table's official id: one of `members` (a subquery of their ids, read
    once), or nothing at all for the whole office, whose rows are then matched to people in Python."""
    ids = select(Official.id).where(members)

    def condition(official_id: ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[bool]:
        return true() if whole else official_id.in_(ids)

    return condition


def on_list(at: datetime) -> ColumnElement[bool]:
    """On a staff list at `at`. Left without an erasure date (no such row is made today) counts as gone."""
    return and_(
        Official.unit_id.is_not(None),
        Official.created_at <= at,
        or_(Official.status != OfficialStatus.LEFT, Official.erased_at > at),
    )


def joined(at: datetime) -> ColumnElement[bool]:
    """Had reached the bot by `at`. Rows from before joined_at was recorded fall back on their status."""
    return or_(
        Official.joined_at <= at,
        and_(Official.joined_at.is_(None), Official.status.in_(JOINED_STATES)),
    )


def staff_recipient() -> ColumnElement[bool]:
    """Who receives what is meant for the staff (reminders, self-checks, quizzes, broadcasts to everyone):
    on a staff list now and reachable in a chat."""
    return and_(
        Official.unit_id.is_not(None),
        Official.status == OfficialStatus.ACTIVE,
        linked(),
    )


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


async def list_counts(
    session: AsyncSession, root: Unit | None, at: datetime | None = None
) -> tuple[int, int]:
    """(on the list, joined) in a subtree (the office for None) at `at` (now by default)."""
    at = at or utcnow()
    total, joined_count = (
        await session.execute(
            select(func.count(), count_if(joined(at))).select_from(Official).where(within(root), on_list(at))
        )
    ).one()
    return int(total or 0), int(joined_count or 0)


async def signed_of_list(
    session: AsyncSession,
    *,
    root: Unit,
    version_id: int,
    at: datetime | None = None,
    since: datetime | None = None,
) -> tuple[int, int]:
    """(signed `version_id`, on the list) in a unit's subtree at `at` (now by default): a ceremony's count;
    with `since` (a yearly campaign's start) only signatures made from then on."""
    at = at or utcnow()
    signed = (
        select(Signature.id)
        .where(
            Signature.official_id == Official.id,
            Signature.pledge_version_id == version_id,
            Signature.on_behalf_of_unit.is_(False),
            Signature.signed_at <= at,
            Signature.signed_at >= since if since is not None else true(),
        )
        .exists()
    )
    total, signed_count = (
        await session.execute(
            select(func.count(), count_if(signed)).select_from(Official).where(within(root), on_list(at))
        )
    ).one()
    return int(signed_count or 0), int(total or 0)
