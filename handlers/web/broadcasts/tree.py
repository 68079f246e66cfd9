"""The composer's recipients: the units within the sender's reach as a tree of checkboxes.

One query for the whole reach (an office of 2 000 units is one SELECT), ordered the way the tree is read
(compliance.office.units.tree_sorted); the template nests them without asking the database again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.broadcasts.sending import reach_path
from compliance.office.officials import Actor
from compliance.office.units import is_live, tree_sorted
from storage.models import Unit


@dataclass
class Node:
    id: int
    name: str
    chosen: bool
    children: list[Node] = field(default_factory=list)
    # A chosen unit somewhere below: its branch is shown open.
    open: bool = False


async def unit_tree(session: AsyncSession, *, actor: Actor, chosen: set[int]) -> list[Node]:
    reach = reach_path(actor)
    if reach is None and not actor.is_admin:
        return []
    query = select(Unit).where(is_live())
    if reach is not None:
        query = query.where(Unit.path.startswith(reach))
    units = tree_sorted((await session.scalars(query)).all())
    nodes: dict[int, Node] = {}
    roots: list[Node] = []
    for unit in units:  # parents come before their children
        node = Node(unit.id, unit.name, unit.id in chosen)
        nodes[unit.id] = node
        parent = nodes.get(unit.parent_id) if unit.parent_id is not None else None
        (parent.children if parent is not None else roots).append(node)
    for unit in reversed(units):  # children before parents: "open" climbs up in one pass
        node = nodes[unit.id]
        parent = nodes.get(unit.parent_id) if unit.parent_id is not None else None
        if parent is not None and (node.chosen or node.open):
            parent.open = True
    return roots
