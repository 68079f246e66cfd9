"""Yearly signing campaigns: the admin opens a window in which everyone in scope signs a template again.

A signature counts for a campaign when it is a personal signature of a version of the campaign's template
(its code) made inside the window: from the start day's first instant in Viet Nam to the end day's last,
or to the moment the admin closed it. While a campaign is in force for someone, an older signature no
longer counts as "signed" (compliance.pledge.signing.existing_signature asks `counting_since`), so every
channel's signing flow offers the pledge again and the ledger gets a new row.

This module reads storage only (no signing import): signing imports it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.officials import Actor
from compliance.privacy import audit
from compliance.text import clean_text
from storage.clock import LOCAL_TZ, local_today, utcnow
from storage.models import Official, Unit
from storage.models_campaign import SigningCampaign
from storage.models_pledge import PledgeVersion, Signature

MAX_NAME_LENGTH: Final = 200
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2099


class CampaignProblem(enum.Enum):
    """Why an admin's request was refused (each has its own message)."""

    NO_NAME = "no_name"
    BAD_YEAR = "bad_year"
    END_BEFORE_START = "end_before_start"
    ENDED = "ended"  # the window would end before today
    UNKNOWN_VERSION = "unknown_version"
    UNKNOWN_UNIT = "unknown_unit"
    OVERLAP = "overlap"  # another campaign of the same template, overlapping in time and scope
    NOT_FOUND = "not_found"
    CLOSED = "closed"
    NOT_LATER = "not_later"  # an extension must move the end later


class CampaignError(ValueError):
    def __init__(self, problem: CampaignProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL_TZ)


@dataclass(frozen=True)
class Window:
    start: datetime  # aware, inclusive
    end: datetime  # aware, exclusive

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def window_of(campaign: SigningCampaign) -> Window:
    end = day_start(campaign.ends_on + timedelta(days=1))
    if campaign.closed_at is not None:
        end = min(end, campaign.closed_at)
    return Window(day_start(campaign.starts_on), end)


def scope_ids(campaign: SigningCampaign) -> list[int]:
    return [int(i) for i in campaign.units.get("ids", [])]


async def unit_paths(session: AsyncSession, unit_ids: list[int]) -> dict[int, str]:
    if not unit_ids:
        return {}
    rows = await session.execute(select(Unit.id, Unit.path).where(Unit.id.in_(unit_ids)))
    return {unit_id: path for unit_id, path in rows.all()}


def covers(scope_paths: list[str], unit_path: str | None) -> bool:
    """A unit is in scope when the scope is the whole office (no paths) or one of its units is above it."""
    if not scope_paths:
        return True
    return unit_path is not None and any(unit_path.startswith(p) for p in scope_paths)


def _scopes_meet(a: list[str], b: list[str]) -> bool:
    if not a or not b:
        return True
    return any(x.startswith(y) or y.startswith(x) for x in a for y in b)


async def _check_overlap(
    session: AsyncSession, *, code: str, starts_on: date, ends_on: date, paths: list[str], skip: int | None
) -> None:
    others = (
        await session.scalars(
            select(SigningCampaign).where(
                SigningCampaign.code == code,
                SigningCampaign.starts_on <= ends_on,
                SigningCampaign.ends_on >= starts_on,
                SigningCampaign.id != (skip or 0),
            )
        )
    ).all()
    for other in others:
        if other.closed_at is not None and other.closed_at <= day_start(starts_on):
            continue  # closed before this window begins: it no longer holds those days
        other_paths = list((await unit_paths(session, scope_ids(other))).values())
        if _scopes_meet(paths, other_paths):
            raise CampaignError(CampaignProblem.OVERLAP)


async def open_campaign(
    session: AsyncSession,
    *,
    name: str,
    year: int,
    version_id: int,
    starts_on: date,
    ends_on: date,
    unit_ids: list[int] | None = None,
    actor: Actor | None = None,
) -> SigningCampaign:
    """Open a campaign; raises CampaignError (nothing written) when the request does not hold."""
    cleaned = clean_text(name)[:MAX_NAME_LENGTH]
    if not cleaned:
        raise CampaignError(CampaignProblem.NO_NAME)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CampaignError(CampaignProblem.BAD_YEAR)
    if ends_on < starts_on:
        raise CampaignError(CampaignProblem.END_BEFORE_START)
    if ends_on < local_today():
        raise CampaignError(CampaignProblem.ENDED)
    version = await session.get(PledgeVersion, version_id)
    if version is None:
        raise CampaignError(CampaignProblem.UNKNOWN_VERSION)
    ids = sorted(set(unit_ids or []))
    paths = await unit_paths(session, ids)
    if len(paths) != len(ids):
        raise CampaignError(CampaignProblem.UNKNOWN_UNIT)
    await _check_overlap(
        session,
        code=version.code,
        starts_on=starts_on,
        ends_on=ends_on,
        paths=list(paths.values()),
        skip=None,
    )
    campaign = SigningCampaign(
        name=cleaned,
        year=year,
        code=version.code,
        pledge_version_id=version.id,
        starts_on=starts_on,
        ends_on=ends_on,
        units={"ids": ids},
        created_by_id=actor.id if actor else None,
    )
    session.add(campaign)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="campaign.open",
        subject=f"campaign:{campaign.id}",
        after={
            "name": cleaned,
            "year": year,
            "version": f"{version.code}-{version.version}",
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "units": ids,
        },
    )
    return campaign


async def _editable(session: AsyncSession, campaign_id: int) -> SigningCampaign:
    campaign = await session.get(SigningCampaign, campaign_id)
    if campaign is None:
        raise CampaignError(CampaignProblem.NOT_FOUND)
    if campaign.closed_at is not None:
        raise CampaignError(CampaignProblem.CLOSED)
    return campaign


async def extend_campaign(
    session: AsyncSession, *, campaign_id: int, ends_on: date, actor: Actor | None = None
) -> SigningCampaign:
    """Move the window's end later (an extension may reopen a window that ended, never a closed one)."""
    campaign = await _editable(session, campaign_id)
    if ends_on <= campaign.ends_on:
        raise CampaignError(CampaignProblem.NOT_LATER)
    if ends_on < local_today():
        raise CampaignError(CampaignProblem.ENDED)
    paths = list((await unit_paths(session, scope_ids(campaign))).values())
    await _check_overlap(
        session,
        code=campaign.code,
        starts_on=campaign.starts_on,
        ends_on=ends_on,
        paths=paths,
        skip=campaign.id,
    )
    before = campaign.ends_on
    campaign.ends_on = ends_on
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="campaign.extend",
        subject=f"campaign:{campaign.id}",
        before={"ends_on": before.isoformat()},
        after={"ends_on": ends_on.isoformat()},
    )
    return campaign


async def close_campaign(
    session: AsyncSession, *, campaign_id: int, actor: Actor | None = None
) -> SigningCampaign:
    """End the window now: signatures from now on no longer count for it, reminders stop."""
    campaign = await _editable(session, campaign_id)
    now = utcnow()
    campaign.closed_at = max(now, day_start(campaign.starts_on))
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="campaign.close",
        subject=f"campaign:{campaign.id}",
        before={"open": True, "ends_on": campaign.ends_on.isoformat()},
        after={"open": False, "closed_at": campaign.closed_at.isoformat()},
    )
    return campaign


async def list_campaigns(session: AsyncSession) -> list[SigningCampaign]:
    rows = await session.scalars(
        select(SigningCampaign).order_by(SigningCampaign.starts_on.desc(), SigningCampaign.id.desc())
    )
    return list(rows)


async def in_force(session: AsyncSession, at: datetime) -> list[SigningCampaign]:
    """Campaigns whose window holds `at` (usually none: one indexed query)."""
    day = at.astimezone(LOCAL_TZ).date()
    rows = (
        await session.scalars(
            select(SigningCampaign).where(SigningCampaign.starts_on <= day, SigningCampaign.ends_on >= day)
        )
    ).all()
    return [c for c in rows if window_of(c).holds(at)]


async def campaign_for(
    session: AsyncSession, *, code: str, unit_path: str | None, at: datetime
) -> SigningCampaign | None:
    """The campaign of template `code` in force at `at` for a unit (by its path), if any."""
    for campaign in await in_force(session, at):
        if campaign.code != code:
            continue
        paths = list((await unit_paths(session, scope_ids(campaign))).values())
        if covers(paths, unit_path):
            return campaign
    return None


async def starts_by_unit(
    session: AsyncSession, *, at: datetime, codes: dict[int, str]
) -> dict[int, datetime]:
    """For each unit (id -> the template code it follows) under a campaign in force at `at`: the start of
    that campaign's window (from when a signature counts there). Empty, in one query, without campaigns."""
    active = await in_force(session, at)
    if not active:
        return {}
    paths = dict((await session.execute(select(Unit.id, Unit.path))).all())
    found: dict[int, datetime] = {}
    for campaign in active:
        scope = list((await unit_paths(session, scope_ids(campaign))).values())
        start = window_of(campaign).start
        for unit_id, code in codes.items():
            if code == campaign.code and covers(scope, paths.get(unit_id)):
                found[unit_id] = start
    return found


async def counting_since(
    session: AsyncSession, *, official_id: int, version_id: int, at: datetime | None = None
) -> datetime | None:
    """From when a signature of this version counts for this person at `at`: a campaign's start when one
    is in force for them, None (any signature counts) otherwise."""
    at = at or utcnow()
    if not await in_force(session, at):
        return None
    version = await session.get(PledgeVersion, version_id)
    official = await session.get(Official, official_id)
    if version is None or official is None:
        return None
    unit = await session.get(Unit, official.unit_id) if official.unit_id else None
    campaign = await campaign_for(session, code=version.code, unit_path=unit.path if unit else None, at=at)
    return window_of(campaign).start if campaign is not None else None


async def campaign_of_signature(session: AsyncSession, signature: Signature) -> SigningCampaign | None:
    """The campaign a signature was made for: its template's, in force for the signer's unit then."""
    version = await session.get(PledgeVersion, signature.pledge_version_id)
    if version is None:
        return None
    unit = await session.get(Unit, signature.unit_id) if signature.unit_id else None
    return await campaign_for(
        session, code=version.code, unit_path=unit.path if unit else None, at=signature.signed_at
    )


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return day_start(date(year, 1, 1)), day_start(date(year + 1, 1, 1))


async def signed_in_year(session: AsyncSession, year: int) -> dict[int, int]:
    """Per unit: how many people now in it made a personal signature in `year` (Viet Nam's calendar)."""
    start, end = year_bounds(year)
    rows = await session.execute(
        select(Official.unit_id, func.count(func.distinct(Signature.official_id)))
        .join(Signature, Signature.official_id == Official.id)
        .where(
            Official.unit_id.is_not(None),
            Signature.on_behalf_of_unit.is_(False),
            Signature.signed_at >= start,
            Signature.signed_at < end,
        )
        .group_by(Official.unit_id)
    )
    return {int(unit_id): int(count) for unit_id, count in rows.all() if unit_id is not None}


def subtree_totals(per_unit: dict[int, int], paths: dict[int, str]) -> dict[int, int]:
    """Each unit's figure with its subtree's added (paths: unit id -> materialised path)."""
    totals = dict.fromkeys(paths, 0)
    for unit_id, count in per_unit.items():
        path = paths.get(unit_id)
        if path is None:
            continue
        for ancestor in (int(p) for p in path.strip("/").split("/") if p):
            if ancestor in totals:
                totals[ancestor] += count
    return totals
