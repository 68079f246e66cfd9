"""Importing a staff list: every row checked first, then all applied in one transaction or none.

A re-import updates people by phone number and never deletes anyone, nor anything they signed.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.delivery.command_menus import plan_menus
from compliance.office.officials import Actor
from compliance.office.phones import canonical_phone
from compliance.office.staff_file import RawRow, read_staff_file
from compliance.office.units import MAX_UNIT_DEPTH, UnitTree, split_unit_path
from compliance.privacy import audit
from compliance.text import clean_text, name_key
from storage.models import Official, OfficialStatus, Role

ProgressCallback = Callable[[int, int], Awaitable[None]]
_LOOKUP_CHUNK = 500

ROLE_WORDS: dict[str, Role] = {
    name_key(word): role
    for role, words in {
        Role.OFFICIAL: ("cán bộ", "công chức", "viên chức", "nhân viên", "official"),
        Role.HEAD: ("trưởng đơn vị", "thủ trưởng", "trưởng phòng", "head"),
        Role.ADMIN: ("quản trị", "quản trị viên", "admin"),
    }.items()
    for word in words
}


class RowProblem(enum.Enum):
    MISSING_NAME = "missing_name"
    MISSING_PHONE = "missing_phone"
    BAD_PHONE = "bad_phone"
    DUPLICATE_PHONE = "duplicate_phone"
    UNKNOWN_ROLE = "unknown_role"
    MISSING_UNIT = "missing_unit"
    UNIT_TOO_DEEP = "unit_too_deep"
    BAD_EMAIL = "bad_email"


@dataclass(frozen=True)
class RowError:
    row: int
    problem: RowProblem
    value: str = ""  # what was in the cell (or the first row's number for a duplicate)


@dataclass(frozen=True)
class StaffRow:
    row: int
    full_name: str
    title: str | None
    unit_path: tuple[str, ...]
    phone: str
    email: str | None
    role: Role


@dataclass
class ImportPlan:
    rows: list[StaffRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    to_create: int = 0
    to_update: int = 0
    new_units: int = 0

    @property
    def total(self) -> int:
        return len(self.rows) + len({e.row for e in self.errors})


def validate_rows(raw_rows: Sequence[RawRow]) -> tuple[list[StaffRow], list[RowError]]:
    rows: list[StaffRow] = []
    errors: list[RowError] = []
    first_row_of_phone: dict[str, int] = {}
    for raw in raw_rows:
        v = raw.values
        row_errors: list[RowError] = []
        full_name = clean_text(v.get("full_name", ""))
        if not full_name:
            row_errors.append(RowError(raw.number, RowProblem.MISSING_NAME))
        phone_text = v.get("phone", "")
        phone = canonical_phone(phone_text) if phone_text else None
        if not phone_text:
            row_errors.append(RowError(raw.number, RowProblem.MISSING_PHONE))
        elif phone is None:
            row_errors.append(RowError(raw.number, RowProblem.BAD_PHONE, phone_text))
        elif phone in first_row_of_phone:
            row_errors.append(
                RowError(raw.number, RowProblem.DUPLICATE_PHONE, str(first_row_of_phone[phone]))
            )
        else:
            first_row_of_phone[phone] = raw.number
        role_text = v.get("role", "")
        role = ROLE_WORDS.get(name_key(role_text)) if role_text else Role.OFFICIAL
        if role is None:
            row_errors.append(RowError(raw.number, RowProblem.UNKNOWN_ROLE, role_text))
        unit_path = split_unit_path(v.get("unit", ""))
        if not unit_path:
            row_errors.append(RowError(raw.number, RowProblem.MISSING_UNIT))
        elif len(unit_path) > MAX_UNIT_DEPTH:
            row_errors.append(RowError(raw.number, RowProblem.UNIT_TOO_DEEP, str(len(unit_path))))
        email = v.get("email") or None
        if email and ("@" not in email or " " in email or len(email) > 200):
            row_errors.append(RowError(raw.number, RowProblem.BAD_EMAIL, email))
        if row_errors:
            errors.extend(row_errors)
            continue
        assert phone is not None and role is not None
        rows.append(
            StaffRow(
                raw.number, full_name[:200], (v.get("title") or None), tuple(unit_path), phone, email, role
            )
        )
    return rows, errors


async def _existing_by_phone(session: AsyncSession, phones: Sequence[str]) -> dict[str, Official]:
    found: dict[str, Official] = {}
    for start in range(0, len(phones), _LOOKUP_CHUNK):
        chunk = phones[start : start + _LOOKUP_CHUNK]
        for official in await session.scalars(select(Official).where(Official.phone.in_(chunk))):
            assert official.phone is not None
            found[official.phone] = official
    return found


async def plan_import(session: AsyncSession, *, file_name: str, content: bytes) -> ImportPlan:
    """The dry run: what an import of this file would do. Raises StaffFileError for unreadable files."""
    rows, errors = validate_rows(read_staff_file(file_name, content))
    plan = ImportPlan(rows=rows, errors=errors)
    existing = await _existing_by_phone(session, [r.phone for r in rows])
    plan.to_update = sum(1 for r in rows if r.phone in existing)
    plan.to_create = len(rows) - plan.to_update
    tree = await UnitTree.load(session)
    missing_paths: set[tuple[str, ...]] = set()
    for row in rows:
        for depth in range(1, len(row.unit_path) + 1):
            prefix = tuple(name_key(p) for p in row.unit_path[:depth])
            if tree.find(row.unit_path[:depth]) is None:
                missing_paths.add(prefix)
    plan.new_units = len(missing_paths)
    return plan


class ImportRefused(Exception):
    """A real import was asked for a file with bad rows: nothing was changed."""


async def apply_rows(
    session: AsyncSession,
    rows: Sequence[StaffRow],
    *,
    progress: ProgressCallback | None = None,
    actor: Actor | None = None,
    file_name: str | None = None,
) -> tuple[int, int]:
    """Create or update every row in the caller's transaction; returns (created, updated).

    `actor` None is the command line (an import-staff or the demo office).
    """
    tree = await UnitTree.load(session)
    existing = await _existing_by_phone(session, [r.phone for r in rows])
    created = updated = 0
    new_roles: list[int] = []  # people in the bot whose role changes: their command menus change too
    for index, row in enumerate(rows, start=1):
        unit = await tree.ensure(row.unit_path)
        official = existing.get(row.phone)
        if official is None:
            official = Official(phone=row.phone, status=OfficialStatus.INVITED)
            session.add(official)
            created += 1
        else:
            updated += 1
        official.full_name = row.full_name
        official.name_key = name_key(row.full_name)
        official.title = row.title
        official.unit_id = unit.id
        official.email = row.email
        # A person made admin by ADMIN_IDS or in the chat keeps that role whatever the list says.
        if official.role is not Role.ADMIN:
            # plan_menus skips whoever has no account yet: no query per row here.
            if official.role is not row.role:
                new_roles.append(official.id)
            official.role = row.role
        if progress is not None and (index % 500 == 0 or index == len(rows)):
            await session.flush()
            await progress(index, len(rows))
    await session.flush()
    if new_roles:
        await plan_menus(session, official_ids=new_roles)
    await audit.record(
        session,
        actor=actor,
        action="staff.import",
        subject=f"staff_file:{file_name or '-'}",
        after={"file": file_name, "rows": len(rows), "created": created, "updated": updated},
    )
    return created, updated


async def import_staff(
    session: AsyncSession,
    *,
    file_name: str,
    content: bytes,
    progress: ProgressCallback | None = None,
    actor: Actor | None = None,
) -> tuple[ImportPlan, int, int]:
    plan = await plan_import(session, file_name=file_name, content=content)
    if plan.errors:
        raise ImportRefused(f"{len(plan.errors)} bad rows")
    created, updated = await apply_rows(
        session, plan.rows, progress=progress, actor=actor, file_name=file_name
    )
    return plan, created, updated
