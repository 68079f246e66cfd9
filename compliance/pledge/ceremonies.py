"""Signing ceremonies: a message in a chat that counts the unit's signatures as they come in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office import staff_roll
from compliance.office.officials import Actor
from compliance.office.units import is_live
from compliance.pledge import campaigns
from compliance.pledge import signing as pledges
from compliance.privacy import audit
from compliance.text import vietnamese_key
from storage.clock import utcnow
from storage.models import Unit
from storage.models_pledge import Ceremony

OPEN_FOR = timedelta(days=7)


@dataclass(frozen=True)
class CeremonyView:
    id: int
    chat_id: int
    message_id: int | None
    unit_name: str
    title_vi: str
    title_en: str
    signed: int
    total: int


async def start(session: AsyncSession, *, actor: Actor, chat_id: int) -> CeremonyView | None:
    """Open a ceremony for the head's own unit (an admin's too, if they belong to one)."""
    unit = await session.get(Unit, actor.unit_id) if actor.unit_id else None
    if unit is None or not actor.may_manage(unit):
        return None
    version = await pledges.current_version(session, unit)
    if version is None:
        return None
    ceremony = Ceremony(
        unit_id=unit.id, pledge_version_id=version.id, started_by_id=actor.id, chat_id=chat_id
    )
    session.add(ceremony)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="ceremony.open",
        subject=f"ceremony:{ceremony.id}",
        after={"unit": unit.code, "pledge_version_id": version.id, "chat_id": chat_id},
    )
    return await _view(session, ceremony, unit)


async def _campaign_start(
    session: AsyncSession, ceremony: Ceremony, unit: Unit, code: str
) -> datetime | None:
    """A ceremony held during a yearly campaign counts the signatures made inside its window only."""
    campaign = await campaigns.campaign_for(session, code=code, unit_path=unit.path, at=ceremony.started_at)
    return campaigns.window_of(campaign).start if campaign is not None else None


async def _view(session: AsyncSession, ceremony: Ceremony, unit: Unit | None = None) -> CeremonyView:
    unit = unit or await session.get(Unit, ceremony.unit_id)
    version = await pledges.version_by_id(session, ceremony.pledge_version_id)
    assert unit is not None and version is not None
    since = await _campaign_start(session, ceremony, unit, version.code)
    signed, total = await staff_roll.signed_of_list(
        session, root=unit, version_id=ceremony.pledge_version_id, since=since
    )
    return CeremonyView(
        ceremony.id,
        ceremony.chat_id,
        ceremony.message_id,
        unit.name,
        version.template.title.vi,
        version.template.title.en,
        signed,
        total,
    )


async def attach_message(session: AsyncSession, *, ceremony_id: int, message_id: int) -> None:
    ceremony = await session.get(Ceremony, ceremony_id)
    if ceremony is not None:
        ceremony.message_id = message_id


async def changed_since_shown(session: AsyncSession) -> list[CeremonyView]:
    """Open ceremonies whose count moved since their message was last edited; marks them as shown."""
    recent = utcnow() - OPEN_FOR
    open_ones = (
        await session.scalars(
            select(Ceremony).where(
                Ceremony.closed_at.is_(None), Ceremony.message_id.is_not(None), Ceremony.started_at >= recent
            )
        )
    ).all()
    changed = []
    for ceremony in open_ones:
        view = await _view(session, ceremony)
        if view.signed != ceremony.shown_signed:
            ceremony.shown_signed = view.signed
            changed.append(view)
    return changed


@dataclass(frozen=True)
class UnitTotal:
    unit_name: str
    signed: int
    total: int


async def close(
    session: AsyncSession, *, ceremony_id: int, actor: Actor
) -> tuple[CeremonyView, list[UnitTotal]] | None:
    """Close a ceremony: the unit and each unit directly below it, each with its whole subtree against the
    staff list (as the live count), counts only (never names)."""
    ceremony = await session.get(Ceremony, ceremony_id)
    unit = await session.get(Unit, ceremony.unit_id) if ceremony else None
    if ceremony is None or unit is None or not actor.may_manage(unit) or ceremony.closed_at is not None:
        return None
    ceremony.closed_at = utcnow()
    view = await _view(session, ceremony, unit)
    await audit.record(
        session,
        actor=actor,
        action="ceremony.close",
        subject=f"ceremony:{ceremony.id}",
        before={"open": True},
        after={"open": False, "signed": view.signed, "total": view.total},
    )
    children = sorted(
        (await session.scalars(select(Unit).where(Unit.parent_id == unit.id, is_live()))).all(),
        key=lambda child: vietnamese_key(child.name),
    )
    totals = [UnitTotal(unit.name, view.signed, view.total)]
    version = await pledges.version_by_id(session, ceremony.pledge_version_id)
    assert version is not None
    since = await _campaign_start(session, ceremony, unit, version.code)
    for child in children:  # each with its whole subtree, counted as the live message counts
        signed, total = await staff_roll.signed_of_list(
            session, root=child, version_id=ceremony.pledge_version_id, since=since
        )
        totals.append(UnitTotal(child.name, signed, total))
    return view, totals
