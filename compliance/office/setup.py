"""What a new office still needs before officials can sign: the administrator's first-day checklist.

After `demo-data` or a first import nothing is published, no head has joined and no group is linked;
the checklist says which of these steps are done, each read from the database, in five small queries.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office import zalo_groups
from storage.models import Official, OfficialStatus, Role
from storage.models_broadcast import UnitGroup
from storage.models_pledge import PledgeVersion
from storage.models_practice import Schedule

_JOINED = (OfficialStatus.ACTIVE, OfficialStatus.UNREACHABLE)


class Step(enum.StrEnum):
    STAFF = "staff"
    PLEDGE = "pledge"
    SCHEDULE = "schedule"
    HEADS = "heads"
    GROUPS = "groups"


@dataclass(frozen=True)
class StepState:
    step: Step
    done: bool
    count: int = 0  # officials on the list, versions published, heads joined, groups linked
    total: int = 0  # heads on the list


@dataclass(frozen=True)
class Checklist:
    steps: list[StepState]

    @property
    def complete(self) -> bool:
        return all(s.done for s in self.steps)


async def checklist(session: AsyncSession) -> Checklist:
    on_list = await session.scalar(
        select(func.count())
        .select_from(Official)
        .where(Official.phone.is_not(None), Official.status != OfficialStatus.LEFT)
    )
    versions = await session.scalar(select(func.count()).select_from(PledgeVersion))
    schedules = await session.scalar(select(func.count()).select_from(Schedule))
    heads, heads_joined = (
        await session.execute(
            select(func.count(), func.sum(case((Official.status.in_(_JOINED), 1), else_=0))).where(
                Official.role == Role.HEAD, Official.status != OfficialStatus.LEFT
            )
        )
    ).one()
    # A Zalo group linked with ZALO_GROUPS counts too: a Zalo-only office has no Telegram group to link.
    groups = int(await session.scalar(select(func.count()).select_from(UnitGroup)) or 0)
    groups += await zalo_groups.linked_count(session)
    heads, heads_joined = int(heads or 0), int(heads_joined or 0)
    return Checklist(
        [
            StepState(Step.STAFF, bool(on_list), int(on_list or 0)),
            StepState(Step.PLEDGE, bool(versions), int(versions or 0)),
            # The default times work from the first day; an admin who has looked at them and set one is done.
            StepState(Step.SCHEDULE, bool(schedules), int(schedules or 0)),
            StepState(Step.HEADS, heads > 0 and heads_joined == heads, heads_joined, heads),
            StepState(Step.GROUPS, bool(groups), groups),
        ]
    )
