"""What the deadlines send: a working day's signing reminder with its deadline (joiners, campaigns), and
the unit head's notice that someone is overdue.

The reminder takes the daily reminder's own outbox key ("reminder:<official>:<day>"), planned just before
it by the tick: a person still gets one reminder a day, the one that names their deadline.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.delivery.outbox import enqueue, plan_for_officials
from compliance.office import staff_roll
from compliance.office.accounts import Address
from compliance.pledge import campaigns
from compliance.pledge.deadlines import Joiner, joiners
from compliance.pledge.signing import VersionMap
from compliance.privacy.consent import consented
from storage.engine import dialect_of
from storage.models import AccountStatus, ChannelAccount, Official, OfficialStatus, Role, Unit
from storage.models_campaign import OverdueNotice, SigningCampaign
from storage.models_pledge import PledgeVersion, Signature
from storage.models_practice import ReminderMute

JOINER = "joiner"
CHUNK = 500


def _not_muted(day: date) -> ColumnElement[bool]:
    return ~exists().where(ReminderMute.official_id == Official.id, ReminderMute.until >= day)


def _title(content: dict[str, Any]) -> dict[str, str]:
    return {"title_vi": content["title"]["vi"], "title_en": content["title"]["en"]}


async def plan_deadline_reminders(
    session: AsyncSession, day: date, unit_ids: tuple[int, ...], versions: VersionMap, now: datetime
) -> int:
    """The day's signing reminder to joiners before their deadline and to those a campaign still waits
    for, in these units; each person once a day (the daily reminder's key)."""
    planned = 0
    wanted = set(unit_ids)
    for joiner in await joiners(session, versions, at=now):
        if joiner.unit_id not in wanted or joiner.signed_at is not None:
            continue
        if not joiner.joined_on < day <= joiner.deadline:
            continue
        version = versions.for_unit(joiner.unit_id)
        assert version is not None
        payload = {
            "day": day.isoformat(),
            "kind": "sign",
            "title_vi": version.template.title.vi,
            "title_en": version.template.title.en,
            "deadline": joiner.deadline.isoformat(),
        }
        planned += await plan_for_officials(
            session,
            kind="reminder",
            key_suffix=day.isoformat(),
            payload=payload,
            audience=and_(Official.id == joiner.official_id, staff_roll.staff_recipient(), _not_muted(day)),
        )
    for campaign in await campaigns.in_force(session, now):
        planned += await _campaign_reminders(session, campaign, day, unit_ids, versions)
    return planned


async def _campaign_reminders(
    session: AsyncSession,
    campaign: SigningCampaign,
    day: date,
    unit_ids: tuple[int, ...],
    versions: VersionMap,
) -> int:
    scope = list((await campaigns.unit_paths(session, campaigns.scope_ids(campaign))).values())
    paths = dict((await session.execute(select(Unit.id, Unit.path).where(Unit.id.in_(unit_ids)))).all())
    units = [
        unit_id
        for unit_id in unit_ids
        if campaigns.covers(scope, paths.get(unit_id))
        and (version := versions.for_unit(unit_id)) is not None
        and version.code == campaign.code
    ]
    if not units:
        return 0
    version_row = await session.get(PledgeVersion, campaign.pledge_version_id)
    assert version_row is not None
    window = campaigns.window_of(campaign)
    signed = exists().where(
        Signature.official_id == Official.id,
        Signature.on_behalf_of_unit.is_(False),
        Signature.signed_at >= window.start,
        Signature.signed_at < window.end,
        Signature.pledge_version_id.in_(select(PledgeVersion.id).where(PledgeVersion.code == campaign.code)),
    )
    payload = {
        "day": day.isoformat(),
        "kind": "sign",
        **_title(version_row.content),
        "deadline": campaign.ends_on.isoformat(),
        "year": campaign.year,
    }
    planned = 0
    for start in range(0, len(units), CHUNK):
        planned += await plan_for_officials(
            session,
            kind="reminder",
            key_suffix=day.isoformat(),
            payload=payload,
            audience=and_(
                Official.unit_id.in_(units[start : start + CHUNK]),
                staff_roll.staff_recipient(),
                _not_muted(day),
                ~signed,
            ),
        )
    return planned


async def _heads_of(session: AsyncSession, unit_id: int, person_id: int) -> list[int]:
    """The heads of the person's unit, or of the nearest unit above with one (never the person)."""
    unit = await session.get(Unit, unit_id)
    if unit is None:
        return []
    ladder = [int(p) for p in unit.path.strip("/").split("/") if p][::-1]
    rows = (
        await session.execute(
            select(Official.id, Official.unit_id).where(
                Official.unit_id.in_(ladder),
                Official.role == Role.HEAD,
                Official.status != OfficialStatus.LEFT,
                Official.id != person_id,
                consented(),  # nothing is planned for someone who has not agreed to the privacy notice
            )
        )
    ).all()
    for rung in ladder:
        found = sorted(official_id for official_id, head_unit in rows if head_unit == rung)
        if found:
            return found
    return []


async def _notify(session: AsyncSession, joiner: Joiner, unit_name: str) -> int:
    planned = 0
    for head_id in await _heads_of(session, joiner.unit_id, joiner.official_id):
        accounts = (
            await session.execute(
                select(ChannelAccount.channel, ChannelAccount.chat_id).where(
                    ChannelAccount.official_id == head_id, ChannelAccount.status != AccountStatus.UNLINKED
                )
            )
        ).all()
        for channel, chat_id in accounts:
            planned += await enqueue(
                session,
                dedupe_key=f"sign_overdue:{head_id}:{joiner.official_id}:{channel.value}",
                kind="sign_overdue",
                to=Address(channel, chat_id),
                official_id=head_id,
                payload={
                    "full_name": joiner.full_name,
                    "unit_name": unit_name,
                    "joined": joiner.joined_on.isoformat(),
                    "deadline": joiner.deadline.isoformat(),
                },
            )
    return planned


async def notify_overdue(session: AsyncSession, versions: VersionMap, *, now: datetime) -> int:
    """Tell the heads, once per person, about joiners whose deadline passed unsigned."""
    late = [j for j in await joiners(session, versions, at=now) if j.overdue_at(now)]
    if not late:
        return 0
    told = set(
        (
            await session.scalars(
                select(OverdueNotice.official_id).where(
                    OverdueNotice.subject == JOINER,
                    OverdueNotice.official_id.in_([j.official_id for j in late]),
                )
            )
        ).all()
    )
    names = dict((await session.execute(select(Unit.id, Unit.name))).all())
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    planned = 0
    for joiner in late:
        if joiner.official_id in told:
            continue
        sent = await _notify(session, joiner, names.get(joiner.unit_id, ""))
        await session.execute(
            insert(OverdueNotice)
            .values(
                official_id=joiner.official_id,
                subject=JOINER,
                deadline=joiner.deadline,
                notified=sent,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["official_id", "subject"])
        )
        planned += sent
    return planned
