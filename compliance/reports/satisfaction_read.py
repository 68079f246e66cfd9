"""How a satisfaction report reads a period (compliance.reports.satisfaction): which units (the requested
subtrees), which closed days come from the daily roll-up (compliance.reports.satisfaction_days) and which
instants from the ratings themselves (today, the days not rolled yet, a partial first or last day)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.reports import satisfaction_days
from storage.engine import dialect_of
from storage.models import Unit
from storage.models_feedback import CitizenRating

# A subtree holding more than 1/WIDE_SHARE of the units is read by a pass over the table on SQLite.
WIDE_SHARE: Final = 4


def counted(start: datetime, end: datetime, *, scan: bool = False) -> ColumnElement[bool]:
    """The ratings a report counts: in [start, end), not set aside. `scan`: written so that SQLite reads
    the table through rather than the index (see Tree.scan)."""
    rating = CitizenRating
    created: Any = func.coalesce(rating.created_at, rating.created_at) if scan else rating.created_at
    return and_(created >= start, created < end, rating.set_aside_at.is_(None))


def counted_in(spans: Sequence[tuple[datetime, datetime]], *, scan: bool) -> ColumnElement[bool]:
    conditions = [counted(a, b, scan=scan) for a, b in spans]
    return conditions[0] if len(conditions) == 1 else or_(*conditions)


@dataclass(frozen=True)
class Tree:
    """The requested units and every unit below them, by id with its path's ancestor ids."""

    requested: frozenset[int]
    ancestors: dict[int, tuple[int, ...]]  # unit id -> the requested units whose subtree holds it
    everything: bool  # the requested subtrees cover every unit: no unit filter in the queries
    # SQLite, and a good share of the office: read the table through. Its planner otherwise walks the
    # (unit_id, created_at) index and fetches each row by its id, which measured five times slower for a
    # whole office's year than one pass over the table (bench/feedback.py).
    scan: bool = False
    total: int = 0  # units in the office

    def subtree(self, unit_id: int) -> list[int] | None:
        """The units under one requested unit (itself included); None: every unit."""
        found = [u for u, mine in self.ancestors.items() if unit_id in mine]
        return None if len(found) == self.total else found


async def tree_of(session: AsyncSession, unit_ids: Sequence[int]) -> Tree:
    requested = frozenset(unit_ids)
    # A province has a few thousand units: one query for all their paths beats a prefix test per unit.
    paths = (await session.execute(select(Unit.id, Unit.path))).all()
    ancestors: dict[int, tuple[int, ...]] = {}
    for unit_id, path in paths:
        mine = tuple(int(p) for p in path.strip("/").split("/") if p and int(p) in requested)
        if mine:
            ancestors[unit_id] = mine
    wide = dialect_of(session) == "sqlite" and len(ancestors) * WIDE_SHARE > len(paths)
    return Tree(requested, ancestors, everything=len(ancestors) == len(paths), scan=wide, total=len(paths))


def own_tree(unit_ids: Sequence[int]) -> Tree:
    """Each unit alone, not its subtree."""
    return Tree(frozenset(unit_ids), {u: (u,) for u in unit_ids}, everything=False)


@dataclass(frozen=True)
class Split:
    """A period's parts: its closed days [first, last] from the roll-up (None: none), the rest as
    [start, end) instants from the ratings."""

    days: tuple[Any, Any] | None
    raw: tuple[tuple[datetime, datetime], ...]


async def split_of(session: AsyncSession, start: datetime, end: datetime) -> Split:
    """Brings the roll-up up to date first (satisfaction_days.catch_up)."""
    through = await satisfaction_days.catch_up(session)
    first = satisfaction_days.local_day_of(start)
    if satisfaction_days.midnight(first) < start:
        first += timedelta(days=1)
    last = satisfaction_days.local_day_of(end) - timedelta(days=1)  # the last day that ends by `end`
    if through is None or min(last, through) < first:
        return Split(None, ((start, end),))
    last = min(last, through)
    head = satisfaction_days.midnight(first).astimezone(UTC)
    tail = satisfaction_days.midnight(last + timedelta(days=1)).astimezone(UTC)
    raw = [(start, head)] if start < head else []
    if tail < end:
        raw.append((tail, end))
    return Split((first, last), tuple(raw))


@dataclass(frozen=True)
class Read:
    """One report's reading: the units (tree) and the parts of the period (split)."""

    tree: Tree
    split: Split

    @property
    def scan(self) -> bool:
        # Beside the roll-up the ratings read are a day or two: through the index, whatever the tree.
        return self.tree.scan and self.split.days is None

    def unit_column(self) -> Any:
        return func.coalesce(CitizenRating.unit_id, 0) if self.scan else CitizenRating.unit_id

    def raw_where(self) -> list[ColumnElement[bool]]:
        """The ratings read beside the roll-up."""
        units = []
        if not (self.tree.everything and self.split.days is None):
            units = [CitizenRating.unit_id.in_(sorted(self.tree.ancestors))]
        return [counted_in(self.split.raw, scan=self.scan), *units]

    def rolled_units(self) -> list[int] | None:
        return None if self.tree.everything else sorted(self.tree.ancestors)
