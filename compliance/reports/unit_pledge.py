"""Each unit's own pledge figures for a period in grouped queries: on the staff list, signed (the version
that applies to the unit at the cut-off) and self-checks on time, late or missed, the same counts the
compliance report folds from its roster (compliance.reports.rollup.build_report).

The star rating scores every unit of a province on just these: the full report reads every person's
states, reminders and quizzes included, and took four seconds at 50 000 officials for figures that two
grouped queries and the signatures give. tests/test_unit_pledge.py holds the two readings equal.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office import staff_roll
from compliance.pledge.signing import versions_by_unit
from compliance.reports.period import Period
from compliance.reports.rollup import Figures, due_weeks
from storage.models import Official
from storage.models_pledge import Signature
from storage.models_practice import SelfCheck


def _unit(unit_id: int | None) -> int:
    """Only people on a staff list are read (staff_roll.on_list), so their unit is never empty."""
    assert unit_id is not None
    return unit_id


async def own_pledge_figures(session: AsyncSession, period: Period) -> dict[int, Figures]:
    """Unit id -> its own people's figures (not its subtree's): on_list, signed, the self-checks' three
    counts and check_slots; the other fields stay zero. Units nobody is listed in are absent."""
    at = staff_roll.cutoff(period)
    weeks = due_weeks(period, at)
    listed = staff_roll.on_list(at)
    connection = await session.connection()  # Core rows: plain columns, no ORM row processing
    figures: dict[int, Figures] = defaultdict(Figures)
    counts = await connection.execute(
        select(Official.unit_id, func.count()).where(listed).group_by(Official.unit_id)
    )
    for unit_id, count in counts.all():
        figures[_unit(unit_id)].on_list = int(count)
        figures[_unit(unit_id)].check_slots = int(count) * len(weeks)
    versions = await versions_by_unit(session, as_of=at)
    signatures = await connection.execute(
        select(Signature.official_id, Official.unit_id, Signature.pledge_version_id)
        .join(Official, Official.id == Signature.official_id)
        .where(listed, Signature.on_behalf_of_unit.is_(False), Signature.signed_at <= at)
    )
    signers: dict[int, set[int]] = defaultdict(set)  # a person signing twice counts once
    # The unit's version, looked up once per unit rather than once per signature.
    current: dict[int | None, int | None] = {}
    for official_id, unit_id, version_id in signatures.all():
        if unit_id not in current:
            version = versions.for_unit(unit_id)
            current[unit_id] = version.id if version is not None else None
        if current[unit_id] == version_id:
            signers[_unit(unit_id)].add(official_id)
    for unit_id, people in signers.items():
        figures[unit_id].signed = len(people)
    checks = await connection.execute(
        select(Official.unit_id, SelfCheck.status, func.count())
        .join(Official, Official.id == SelfCheck.official_id)
        .where(listed, SelfCheck.week.in_(weeks))
        .group_by(Official.unit_id, SelfCheck.status)
    )
    for unit_id, status, count in checks.all():
        figures[_unit(unit_id)].set_checks(status, int(count))
    return dict(figures)
