"""Changing the units tree from the chat and the web: add, rename, move a unit, set its kind and head.

Every change is checked first and refused as a whole with a reason (UnitAdminError), so a bad command
changes nothing; every change that goes through writes an audit line in the same transaction.

Decisions:
- Setting a head puts the person in that unit if they were elsewhere (an appointment from another
  department is the usual case, and there is no other chat command to move a person); the audit line keeps
  where they came from.
- A unit has one head: the unit's previous heads become officials. An administrator named head keeps the
  administrator role (it already reaches every unit) and is only moved into the unit; administrators are
  never demoted by this.
- A merged unit (compliance.office.unit_merge) is history: every change to it, or below it, is refused.
- A rename keeps the name it replaces in unit_names (with when and by whom), so the old name is still
  found; the audit line says the same, but it is not searchable by name.
- A unit's kind is free text (each province names its units its own way): no list of kinds in code.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from sqlalchemy import func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.delivery.command_menus import plan_menus
from compliance.office.officials import Actor
from compliance.office.phones import canonical_phone
from compliance.office.units import MAX_UNIT_DEPTH, PATH_SEPARATOR, get_unit_by_code
from compliance.privacy import audit
from compliance.text import clean_text, name_key
from storage.clock import utcnow
from storage.models import Official, OfficialStatus, Role, Unit
from storage.models_unit_history import UnitName

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_NAME_LENGTH = 200
MAX_KIND_LENGTH = 60


class Refusal(enum.Enum):
    NOT_ALLOWED = "not_allowed"
    UNIT_NOT_FOUND = "unit_not_found"
    PARENT_NOT_FOUND = "parent_not_found"
    BAD_CODE = "bad_code"
    CODE_TAKEN = "code_taken"
    BAD_NAME = "bad_name"
    NAME_TAKEN = "name_taken"  # a sibling under the same parent has this name
    TOO_DEEP = "too_deep"
    UNDER_ITSELF = "under_itself"  # a unit cannot move below itself or its own descendants
    UNCHANGED = "unchanged"
    BAD_PHONE = "bad_phone"
    OFFICIAL_NOT_FOUND = "official_not_found"
    MERGED = "merged"  # the unit was merged into another: it is history now
    INTO_ITSELF = "into_itself"
    INTO_DESCENDANT = "into_descendant"  # a unit cannot be merged into one of its own sub-units
    BAD_KIND = "bad_kind"


class UnitAdminError(Exception):
    """Why a change was refused; `detail` is the offending input, for the message."""

    def __init__(self, reason: Refusal, detail: str = "") -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str
    parent_name: str | None  # None: a top-level unit


@dataclass(frozen=True)
class HeadChange:
    unit: UnitRef
    official_name: str
    moved_from: str | None  # the unit they were in before, when they were moved
    demoted: list[str]  # previous heads who became officials


def require_admin(actor: Actor | None) -> None:
    # The gate lets only admins reach these commands; the domain says so too (None is the command line).
    if actor is not None and not actor.is_admin:
        raise UnitAdminError(Refusal.NOT_ALLOWED)


async def usable_unit(session: AsyncSession, code: str, refusal: Refusal = Refusal.UNIT_NOT_FOUND) -> Unit:
    unit = await get_unit_by_code(session, code, merged=True)
    if unit is None:
        raise UnitAdminError(refusal, clean_text(code))
    if unit.merged_into_id is not None:
        raise UnitAdminError(Refusal.MERGED, unit.name)
    return unit


def _clean_name(raw: str) -> str:
    name = clean_text(raw)
    # "/" separates the levels of a path in the staff list, so a name holding it could not be imported.
    if not name or len(name) > MAX_NAME_LENGTH or PATH_SEPARATOR in name:
        raise UnitAdminError(Refusal.BAD_NAME, name)
    return name


async def _sibling_named(
    session: AsyncSession, parent_id: int | None, key: str, *, other_than: int | None = None
) -> Unit | None:
    query = select(Unit).where(
        Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id, Unit.name_key == key
    )
    if other_than is not None:
        query = query.where(Unit.id != other_than)
    return await session.scalar(query.limit(1))


async def _ref(session: AsyncSession, unit: Unit) -> UnitRef:
    parent = await session.get(Unit, unit.parent_id) if unit.parent_id is not None else None
    return UnitRef(unit.id, unit.code, unit.name, parent.name if parent else None)


def clean_kind(raw: str | None) -> str | None:
    """The kind as typed, tidied; empty means none."""
    kind = clean_text(raw or "")
    if len(kind) > MAX_KIND_LENGTH:
        raise UnitAdminError(Refusal.BAD_KIND, kind)
    return kind or None


async def add_unit(
    session: AsyncSession,
    *,
    actor: Actor | None,
    parent_code: str | None,
    code: str,
    name: str,
    kind: str | None = None,
) -> UnitRef:
    require_admin(actor)
    kind = clean_kind(kind)
    parent = await usable_unit(session, parent_code, Refusal.PARENT_NOT_FOUND) if parent_code else None
    code = clean_text(code).lower()
    if not CODE_PATTERN.match(code):
        raise UnitAdminError(Refusal.BAD_CODE, code)
    if await get_unit_by_code(session, code, merged=True) is not None:  # codes stay unique, merged or not
        raise UnitAdminError(Refusal.CODE_TAKEN, code)
    name = _clean_name(name)
    depth = parent.depth + 1 if parent else 0
    if depth >= MAX_UNIT_DEPTH:
        raise UnitAdminError(Refusal.TOO_DEEP, str(MAX_UNIT_DEPTH))
    if await _sibling_named(session, parent.id if parent else None, name_key(name)) is not None:
        raise UnitAdminError(Refusal.NAME_TAKEN, name)
    unit = Unit(
        parent_id=parent.id if parent else None,
        code=code,
        name=name,
        name_key=name_key(name),
        path="",
        depth=depth,
        kind=kind,
    )
    session.add(unit)
    await session.flush()  # the id is part of the materialised path
    unit.path = f"{parent.path if parent else PATH_SEPARATOR}{unit.id}{PATH_SEPARATOR}"
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="unit.add",
        subject=f"unit:{unit.id}",
        after={"code": code, "name": name, "parent": parent.code if parent else None, "unit_kind": kind},
    )
    return UnitRef(unit.id, unit.code, unit.name, parent.name if parent else None)


async def rename_unit(session: AsyncSession, *, actor: Actor | None, code: str, name: str) -> UnitRef:
    require_admin(actor)
    unit = await usable_unit(session, code)
    name = _clean_name(name)
    if name == unit.name:
        raise UnitAdminError(Refusal.UNCHANGED, name)
    # Changing only the case keeps the key, and the unit is its own sibling: not a clash.
    if await _sibling_named(session, unit.parent_id, name_key(name), other_than=unit.id) is not None:
        raise UnitAdminError(Refusal.NAME_TAKEN, name)
    before = unit.name
    session.add(
        UnitName(
            unit_id=unit.id,
            name=before,
            name_key=name_key(before),
            until=utcnow(),
            changed_by_id=actor.id if actor else None,
        )
    )
    unit.name = name
    unit.name_key = name_key(name)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="unit.rename",
        subject=f"unit:{unit.id}",
        before={"name": before},
        after={"name": name},
    )
    return await _ref(session, unit)


async def move_unit(
    session: AsyncSession, *, actor: Actor | None, code: str, new_parent_code: str | None
) -> UnitRef:
    """Put a unit (with everything below it) under another parent, or at the top for None."""
    require_admin(actor)
    unit = await usable_unit(session, code)
    parent = (
        await usable_unit(session, new_parent_code, Refusal.PARENT_NOT_FOUND) if new_parent_code else None
    )
    if parent is not None and parent.path.startswith(unit.path):
        raise UnitAdminError(Refusal.UNDER_ITSELF, parent.code)
    new_parent_id = parent.id if parent else None
    if new_parent_id == unit.parent_id:
        raise UnitAdminError(Refusal.UNCHANGED, unit.code)
    if await _sibling_named(session, new_parent_id, unit.name_key, other_than=unit.id) is not None:
        raise UnitAdminError(Refusal.NAME_TAKEN, unit.name)
    old_path, old_parent_id = unit.path, unit.parent_id
    new_depth = parent.depth + 1 if parent else 0
    if await subtree_depth(session, unit) + new_depth >= MAX_UNIT_DEPTH:
        raise UnitAdminError(Refusal.TOO_DEEP, str(MAX_UNIT_DEPTH))
    new_path = await relocate(session, unit, parent)
    old_parent = await session.get(Unit, old_parent_id) if old_parent_id is not None else None
    await audit.record(
        session,
        actor=actor,
        action="unit.move",
        subject=f"unit:{unit.id}",
        before={"parent": old_parent.code if old_parent else None, "path": old_path},
        after={"parent": parent.code if parent else None, "path": new_path},
    )
    return UnitRef(unit.id, unit.code, unit.name, parent.name if parent else None)


async def subtree_depth(session: AsyncSession, unit: Unit) -> int:
    """How many levels the unit's subtree has below it (0: none)."""
    deepest = await session.scalar(select(func.max(Unit.depth)).where(Unit.path.startswith(unit.path)))
    return int(deepest if deepest is not None else unit.depth) - unit.depth


async def relocate(session: AsyncSession, unit: Unit, parent: Unit | None) -> str:
    """Put a unit and its subtree under `parent` (checked by the caller), and return its new path.

    The paths and depths of the whole subtree are rewritten by two UPDATE statements, whatever its size.
    """
    old_path, old_depth = unit.path, unit.depth
    new_depth = parent.depth + 1 if parent else 0
    new_path = f"{parent.path if parent else PATH_SEPARATOR}{unit.id}{PATH_SEPARATOR}"
    # SUBSTR is 1-based on both engines: what follows the old prefix is kept as it is.
    await session.execute(
        update(Unit)
        .where(Unit.path.startswith(old_path))
        .values(
            path=literal(new_path) + func.substr(Unit.path, len(old_path) + 1),
            depth=Unit.depth + (new_depth - old_depth),
        )
        .execution_options(synchronize_session="fetch")
    )
    await session.execute(
        update(Unit)
        .where(Unit.id == unit.id)
        .values(parent_id=parent.id if parent else None)
        .execution_options(synchronize_session="fetch")
    )
    await session.refresh(unit)
    return new_path


async def set_kind(session: AsyncSession, *, actor: Actor | None, code: str, kind: str | None) -> UnitRef:
    """Give a unit its kind ("Phòng", "Trung tâm"…), or none for empty."""
    require_admin(actor)
    unit = await usable_unit(session, code)
    cleaned = clean_kind(kind)
    if cleaned == unit.kind:
        raise UnitAdminError(Refusal.UNCHANGED, cleaned or "")
    before = unit.kind
    unit.kind = cleaned
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="unit.kind",
        subject=f"unit:{unit.id}",
        before={"unit_kind": before},
        after={"unit_kind": cleaned},
    )
    return await _ref(session, unit)


async def _official(session: AsyncSession, *, phone: str | None, official_id: int | None) -> Official:
    if phone is not None:
        canonical = canonical_phone(phone)
        if canonical is None:
            raise UnitAdminError(Refusal.BAD_PHONE, clean_text(phone))
        official = await session.scalar(select(Official).where(Official.phone == canonical))
        shown = canonical
    else:
        official = await session.get(Official, official_id) if official_id is not None else None
        shown = f"#{official_id}"
    if official is None or official.status is OfficialStatus.LEFT or official.erased_at is not None:
        raise UnitAdminError(Refusal.OFFICIAL_NOT_FOUND, shown)
    return official


async def set_head(
    session: AsyncSession,
    *,
    actor: Actor | None,
    code: str,
    phone: str | None = None,
    official_id: int | None = None,
) -> HeadChange:
    """Make one official (by phone number or id) the head of a unit; see the module's decisions."""
    require_admin(actor)
    unit = await usable_unit(session, code)
    official = await _official(session, phone=phone, official_id=official_id)
    wanted_role = Role.ADMIN if official.role is Role.ADMIN else Role.HEAD
    previous = (
        await session.scalars(
            select(Official)
            .where(Official.unit_id == unit.id, Official.role == Role.HEAD, Official.id != official.id)
            .order_by(Official.id)
        )
    ).all()
    if official.unit_id == unit.id and official.role is wanted_role and not previous:
        raise UnitAdminError(Refusal.UNCHANGED, official.full_name)
    old_unit = await session.get(Unit, official.unit_id) if official.unit_id is not None else None
    before = {
        "heads": [{"id": h.id, "name": h.full_name} for h in previous],
        "official": {
            "id": official.id,
            "role": official.role.value,
            "unit": old_unit.code if old_unit else None,
        },
    }
    changed = [h.id for h in previous] + ([official.id] if official.role is not wanted_role else [])
    for head in previous:
        head.role = Role.OFFICIAL
    official.role = wanted_role
    official.unit_id = unit.id
    await session.flush()
    if changed:
        await plan_menus(session, official_ids=changed)
    await audit.record(
        session,
        actor=actor,
        action="unit.set_head",
        subject=f"unit:{unit.id}",
        before=before,
        after={
            "heads": [{"id": official.id, "name": official.full_name}],
            "official": {"id": official.id, "role": wanted_role.value, "unit": unit.code},
        },
    )
    moved_from = old_unit.name if old_unit is not None and old_unit.id != unit.id else None
    return HeadChange(
        await _ref(session, unit), official.full_name, moved_from, [h.full_name for h in previous]
    )
