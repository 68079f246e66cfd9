"""Merging one unit into another, as the 2025 reorganisation merged offices: everything moves, nothing is
deleted.

What moves from the source to the target: every person whose unit it is (those who left too, so their
history follows them), the units directly below it (with their subtrees), its linked Telegram and Zalo
groups (and unused Zalo group link codes), its invites
that still work (printed QR codes keep working) and the join requests still waiting.

Decisions:
- Reports count people by their current unit, so a merged unit's past figures appear under the target
  once its people are there; the signature ledger is append-only and is not rewritten (each row keeps the
  unit it was signed in, which the merge history links to the target).
- The source's heads stay heads only when the target has none; otherwise they become officials of the
  target (administrators keep their role: it already reaches every unit).
- The source stays as a row marked merged, out of every picker and list; its name is freed among its
  siblings (a new unit may take it) and kept, with when and by whom, in unit_merges, where it is found.
- A merge is checked as a whole first: bad input changes nothing (UnitAdminError, as unit_admin's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.delivery.command_menus import plan_menus
from compliance.office.officials import Actor
from compliance.office.unit_admin import (
    Refusal,
    UnitAdminError,
    require_admin,
    subtree_depth,
    usable_unit,
)
from compliance.office.units import MAX_UNIT_DEPTH, PATH_SEPARATOR
from compliance.privacy import audit
from compliance.text import clean_text, name_key
from storage.clock import utcnow
from storage.models import Invite, JoinRequest, JoinRequestStatus, Official, Role, Unit
from storage.models_broadcast import UnitGroup
from storage.models_unit_history import UnitMerge, UnitName
from storage.models_zalo import ZaloGroup, ZaloGroupCode

WAITING = (JoinRequestStatus.AWAITING_NAME, JoinRequestStatus.PENDING)


@dataclass(frozen=True)
class MergePlan:
    """What a merge moves, for the confirmation page and the audit line."""

    source_id: int
    source_code: str
    source_name: str
    target_id: int
    target_code: str
    target_name: str
    officials: int  # everyone whose unit it is, including those who left
    heads: int  # the source's heads among them
    heads_stay_heads: bool  # the target has no head: the source's heads become the target's
    units: int  # directly below the source
    groups: int
    invites: int
    join_requests: int

    def moved(self) -> dict[str, int]:
        return {
            "officials": self.officials,
            "units": self.units,
            "groups": self.groups,
            "invites": self.invites,
            "join_requests": self.join_requests,
        }


async def _count(session: AsyncSession, model: type[object], *where: ColumnElement[bool]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _target_has_head(target: Unit) -> ColumnElement[bool]:
    return (Official.unit_id == target.id) & (Official.role == Role.HEAD)


async def _children(session: AsyncSession, unit: Unit) -> list[Unit]:
    return list(
        (await session.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.id))).all()
    )


async def plan_merge(
    session: AsyncSession, *, actor: Actor | None, source_code: str, target_code: str
) -> MergePlan:
    """Check a merge and count what it would move; writes nothing."""
    require_admin(actor)
    source = await usable_unit(session, source_code)
    target = await usable_unit(session, target_code)
    if source.id == target.id:
        raise UnitAdminError(Refusal.INTO_ITSELF, source.name)
    if target.path.startswith(source.path):
        raise UnitAdminError(Refusal.INTO_DESCENDANT, target.name)
    children = await _children(session, source)
    taken = set((await session.scalars(select(Unit.name_key).where(Unit.parent_id == target.id))).all())
    for child in children:
        if child.name_key in taken:
            raise UnitAdminError(Refusal.NAME_TAKEN, child.name)
    # The sub-units keep their depth below the new parent: the source's deepest level moves up one.
    if children and target.depth + await subtree_depth(session, source) >= MAX_UNIT_DEPTH:
        raise UnitAdminError(Refusal.TOO_DEEP, str(MAX_UNIT_DEPTH))
    in_source = Official.unit_id == source.id
    return MergePlan(
        source_id=source.id,
        source_code=source.code,
        source_name=source.name,
        target_id=target.id,
        target_code=target.code,
        target_name=target.name,
        officials=await _count(session, Official, in_source),
        heads=await _count(session, Official, in_source, Official.role == Role.HEAD),
        heads_stay_heads=await _count(session, Official, _target_has_head(target)) == 0,
        units=len(children),
        groups=await _count(session, UnitGroup, UnitGroup.unit_id == source.id)
        + await _count(session, ZaloGroup, ZaloGroup.unit_id == source.id),
        invites=await _count(session, Invite, Invite.unit_id == source.id, Invite.revoked.is_(False)),
        join_requests=await _count(
            session, JoinRequest, JoinRequest.unit_id == source.id, JoinRequest.status.in_(WAITING)
        ),
    )


def _freed_key(unit: Unit) -> str:
    # Names cannot hold "/" (the path separator), so this key can never clash with a living sibling's.
    suffix = f"{PATH_SEPARATOR}{unit.id}"
    return unit.name_key[: 200 - len(suffix)] + suffix


async def merge_units(
    session: AsyncSession, *, actor: Actor | None, source_code: str, target_code: str
) -> MergePlan:
    """Merge `source` into `target` (see the module's decisions) in the caller's transaction."""
    plan = await plan_merge(session, actor=actor, source_code=source_code, target_code=target_code)
    source = await session.get(Unit, plan.source_id)
    target = await session.get(Unit, plan.target_id)
    assert source is not None and target is not None
    demoted: list[tuple[int, str]] = []
    if not plan.heads_stay_heads:
        heads = await session.execute(
            select(Official.id, Official.full_name).where(
                Official.unit_id == source.id, Official.role == Role.HEAD
            )
        )
        demoted = [(official_id, name) for official_id, name in heads]
    below = Unit.path.startswith(source.path) & (Unit.id != source.id)
    moves = (
        # Everything below the source in two statements, whatever its size: "/s/c/…" becomes "/t/c/…".
        update(Unit)
        .where(below)
        .values(
            path=literal(target.path) + func.substr(Unit.path, len(source.path) + 1),
            depth=Unit.depth + (target.depth - source.depth),
        ),
        update(Unit).where(Unit.parent_id == source.id, Unit.id != source.id).values(parent_id=target.id),
        update(Official).where(Official.unit_id == source.id).values(unit_id=target.id),
        update(UnitGroup).where(UnitGroup.unit_id == source.id).values(unit_id=target.id),
        update(ZaloGroup).where(ZaloGroup.unit_id == source.id).values(unit_id=target.id),
        # A group link code asked for before the merge links the group to where the unit went.
        update(ZaloGroupCode)
        .where(ZaloGroupCode.unit_id == source.id, ZaloGroupCode.used_at.is_(None))
        .values(unit_id=target.id),
        update(Invite)
        .where(Invite.unit_id == source.id, Invite.revoked.is_(False))
        .values(unit_id=target.id),
        update(JoinRequest)
        .where(JoinRequest.unit_id == source.id, JoinRequest.status.in_(WAITING))
        .values(unit_id=target.id),
        # Units merged into the source earlier now lead to where their people went.
        update(Unit).where(Unit.merged_into_id == source.id).values(merged_into_id=target.id),
    )
    for statement in moves:
        await session.execute(statement.execution_options(synchronize_session="fetch"))
    if demoted:
        await session.execute(
            update(Official)
            .where(Official.id.in_([official_id for official_id, _name in demoted]))
            .values(role=Role.OFFICIAL)
            .execution_options(synchronize_session="fetch")
        )
        await plan_menus(session, official_ids=[official_id for official_id, _name in demoted])
    now = utcnow()
    session.add(
        UnitMerge(
            source_id=source.id,
            source_name=source.name,
            source_name_key=name_key(source.name),
            target_id=target.id,
            merged_at=now,
            merged_by_id=actor.id if actor else None,
            moved=plan.moved(),
        )
    )
    source.merged_into_id = target.id
    source.name_key = _freed_key(source)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="unit.merge",
        subject=f"unit:{source.id}",
        before={"code": source.code, "name": source.name, "heads": plan.heads},
        after={
            "into": target.code,
            "moved": plan.moved(),
            "heads_demoted": [{"id": official_id, "name": name} for official_id, name in demoted],
        },
    )
    return plan


@dataclass(frozen=True)
class PastName:
    """A name found in the history: the unit that had it, and the living unit it leads to now."""

    name: str
    until: datetime
    merged: bool  # False: renamed
    unit_id: int
    now_id: int
    now_name: str


async def living(session: AsyncSession, unit: Unit) -> Unit:
    """The unit a (possibly merged) unit's people are in now: merges are kept one step deep."""
    if unit.merged_into_id is None:
        return unit
    target = await session.get(Unit, unit.merged_into_id)
    return target if target is not None else unit


async def find_past_names(session: AsyncSession, text: str, *, limit: int = 20) -> list[PastName]:
    """Units that were once called something containing `text` (case and composition ignored)."""
    key = name_key(clean_text(text))
    if not key:
        return []
    # LIKE's wildcards typed by the reader are dropped rather than escaped: unit names do not use them.
    plain = "".join(ch for ch in key if ch not in "%_\\")
    pattern = f"%{plain}%"
    found: list[tuple[str, datetime, bool, int]] = []
    merges = await session.execute(
        select(UnitMerge.source_name, UnitMerge.merged_at, UnitMerge.source_id)
        .where(UnitMerge.source_name_key.like(pattern))
        .limit(limit)
    )
    found.extend((name, at, True, unit_id) for name, at, unit_id in merges)
    renames = await session.execute(
        select(UnitName.name, UnitName.until, UnitName.unit_id)
        .where(UnitName.name_key.like(pattern))
        .limit(limit)
    )
    found.extend((name, at, False, unit_id) for name, at, unit_id in renames)
    found.sort(key=lambda row: row[1], reverse=True)
    result: list[PastName] = []
    for name, at, merged, unit_id in found[:limit]:
        unit = await session.get(Unit, unit_id)
        if unit is None:
            continue
        now = await living(session, unit)
        result.append(PastName(name, at, merged, unit_id, now.id, now.name))
    return result


@dataclass(frozen=True)
class MergedIn:
    name: str
    at: datetime
    officials: int


async def merged_into(session: AsyncSession, unit: Unit) -> list[MergedIn]:
    """The units merged into this one, newest first, for its page."""
    rows = await session.execute(
        select(UnitMerge.source_name, UnitMerge.merged_at, UnitMerge.moved)
        .where(UnitMerge.target_id == unit.id)
        .order_by(UnitMerge.merged_at.desc(), UnitMerge.id.desc())
    )
    return [MergedIn(name, at, int(moved.get("officials", 0))) for name, at, moved in rows]
