"""The units tree (Sở → Phòng → Tổ, any depth) and who may see which part of it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.text import TextKey, ascii_slug, clean_text, name_key, vietnamese_key
from storage.models import Unit

MAX_UNIT_DEPTH = 6
PATH_SEPARATOR = "/"


def is_live() -> ColumnElement[bool]:
    """Units not merged into another: the ones people are in, that pickers and lists offer."""
    return Unit.merged_into_id.is_(None)


def split_unit_path(raw: str) -> list[str]:
    """ "Sở GTVT / Văn phòng" -> ["Sở GTVT", "Văn phòng"]; empty parts are dropped."""
    return [part for part in (clean_text(p) for p in raw.split(PATH_SEPARATOR)) if part]


def tree_sorted(units: Sequence[Unit]) -> list[Unit]:
    """Units as a tree is read top to bottom: each after its parent, siblings in Vietnamese order (the
    materialised path orders them by id, that is by when they were created)."""
    names = {unit.id: unit.name for unit in units}

    def key(unit: Unit) -> tuple[tuple[TextKey, int], ...]:
        ids = [int(part) for part in unit.path.split(PATH_SEPARATOR) if part]
        return tuple((vietnamese_key(names.get(unit_id, "")), unit_id) for unit_id in ids)

    return sorted(units, key=key)


def is_within(unit_path: str, ancestor_path: str) -> bool:
    """Whether a unit (by materialised path) is the ancestor itself or below it."""
    return unit_path.startswith(ancestor_path)


class UnitTree:
    """The units, loaded once, for work that resolves many paths (an import of thousands of rows)."""

    def __init__(self, session: AsyncSession, units: Sequence[Unit]) -> None:
        self._session = session
        live = [u for u in units if u.merged_into_id is None]
        self._by_key: dict[tuple[int | None, str], Unit] = {(u.parent_id, u.name_key): u for u in live}
        self._codes: set[str] = {u.code for u in units}
        # A staff list written before a merge still names the merged unit: its people go where it went.
        by_id = {u.id: u for u in live}
        for unit in units:
            target = by_id.get(unit.merged_into_id) if unit.merged_into_id is not None else None
            if target is not None:
                self._by_key.setdefault((unit.parent_id, name_key(unit.name)), target)

    @classmethod
    async def load(cls, session: AsyncSession) -> UnitTree:
        units = (await session.scalars(select(Unit))).all()
        return cls(session, units)

    def find(self, names: Sequence[str]) -> Unit | None:
        parent: Unit | None = None
        for name in names:
            unit = self._by_key.get((parent.id if parent else None, name_key(name)))
            if unit is None:
                return None
            parent = unit
        return parent

    def _new_code(self, name: str) -> str:
        base = ascii_slug(name)
        code, n = base, 1
        while code in self._codes:
            n += 1
            code = f"{base}-{n}"
        self._codes.add(code)
        return code

    async def ensure(self, names: Sequence[str]) -> Unit:
        """The unit at this path, creating the missing ones on the way down."""
        if not names or len(names) > MAX_UNIT_DEPTH:
            raise ValueError(f"unit path must have 1..{MAX_UNIT_DEPTH} parts")
        parent: Unit | None = None
        for name in names:
            key = (parent.id if parent else None, name_key(name))
            unit = self._by_key.get(key)
            if unit is None:
                unit = Unit(
                    parent_id=parent.id if parent else None,
                    code=self._new_code(name),
                    name=clean_text(name),
                    name_key=name_key(name),
                    path="",
                    depth=(parent.depth + 1) if parent else 0,
                )
                self._session.add(unit)
                await self._session.flush()  # the id is part of the materialised path
                unit.path = f"{parent.path if parent else PATH_SEPARATOR}{unit.id}{PATH_SEPARATOR}"
                self._by_key[key] = unit
            parent = unit
        assert parent is not None
        return parent


async def get_unit_by_code(session: AsyncSession, code: str, *, merged: bool = False) -> Unit | None:
    """The unit a typed code names; a merged unit's code names nothing (it is history) unless `merged`."""
    query = select(Unit).where(Unit.code == clean_text(code).lower())
    return await session.scalar(query if merged else query.where(is_live()))


async def unit_display_path(session: AsyncSession, unit: Unit) -> str:
    """ "Sở GTVT / Văn phòng": the names from the root down, for people to read."""
    ids = [int(part) for part in unit.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR) if part]
    result = await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))
    names = {unit_id: name for unit_id, name in result}
    return f" {PATH_SEPARATOR} ".join(names[i] for i in ids if i in names)
