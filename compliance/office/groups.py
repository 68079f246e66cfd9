"""Unit group chats: a Telegram group linked to one unit, so broadcasts can reach it and its head may turn on
the unit's weekly aggregate there (counts only, never names)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.officials import Actor
from compliance.privacy.audit import record
from compliance.text import clean_text
from storage.clock import utcnow
from storage.models import Unit
from storage.models_broadcast import AuditEntry, UnitGroup

MAX_TITLE = 255


@dataclass(frozen=True)
class GroupLink:
    chat_id: int
    unit_id: int
    unit_name: str
    unit_code: str
    weekly_summary: bool


class LinkOutcome(enum.Enum):
    LINKED = "linked"
    MOVED = "moved"  # it was linked to another unit before
    ALREADY = "already"
    NOT_ALLOWED = "not_allowed"


class GroupOutcome(enum.Enum):
    DONE = "done"
    UNCHANGED = "unchanged"
    NOT_LINKED = "not_linked"
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True)
class LinkResult:
    outcome: LinkOutcome
    link: GroupLink | None = None
    previous_unit_name: str | None = None


def _subject(chat_id: int) -> str:
    return f"group:{chat_id}"


async def _row(session: AsyncSession, chat_id: int, *, lock: bool = False) -> UnitGroup | None:
    query = select(UnitGroup).where(UnitGroup.chat_id == chat_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def _view(session: AsyncSession, row: UnitGroup) -> GroupLink:
    unit = await session.get(Unit, row.unit_id)
    assert unit is not None
    return GroupLink(row.chat_id, unit.id, unit.name, unit.code, row.weekly_summary)


async def group_of(session: AsyncSession, chat_id: int) -> GroupLink | None:
    row = await _row(session, chat_id)
    return await _view(session, row) if row is not None else None


async def link(session: AsyncSession, *, actor: Actor, chat_id: int, title: str, unit: Unit) -> LinkResult:
    """Link a group to a unit; a group linked elsewhere moves, but only if the actor manages that unit too
    (a head of a sibling unit cannot take over another unit's group)."""
    if not actor.may_manage(unit):
        return LinkResult(LinkOutcome.NOT_ALLOWED)
    row = await _row(session, chat_id, lock=True)
    clean_title = clean_text(title)[:MAX_TITLE]
    if row is not None:
        current = await session.get(Unit, row.unit_id)
        if current is not None and not actor.may_manage(current):
            return LinkResult(LinkOutcome.NOT_ALLOWED)
        if row.unit_id == unit.id:
            row.title = clean_title or row.title
            return LinkResult(LinkOutcome.ALREADY, await _view(session, row))
        before = {"unit_id": row.unit_id, "title": row.title, "weekly_summary": row.weekly_summary}
        previous_name = current.name if current is not None else None
        row.unit_id = unit.id
        row.title = clean_title or row.title
        row.linked_by_id = actor.id
        # The weekly aggregate was turned on by the other unit's head: the new unit's head decides again.
        row.weekly_summary = False
        await session.flush()
        after = {"unit_id": unit.id, "title": row.title, "weekly_summary": False}
        await record(
            session, actor=actor, action="group.link", subject=_subject(chat_id), before=before, after=after
        )
        return LinkResult(LinkOutcome.MOVED, await _view(session, row), previous_name)
    row = UnitGroup(chat_id=chat_id, unit_id=unit.id, title=clean_title, linked_by_id=actor.id)
    session.add(row)
    await session.flush()
    after = {"unit_id": unit.id, "title": clean_title, "weekly_summary": False}
    await record(session, actor=actor, action="group.link", subject=_subject(chat_id), after=after)
    return LinkResult(LinkOutcome.LINKED, await _view(session, row))


async def _manageable_row(
    session: AsyncSession, actor: Actor, chat_id: int
) -> tuple[UnitGroup | None, GroupOutcome | None]:
    row = await _row(session, chat_id, lock=True)
    if row is None:
        return None, GroupOutcome.NOT_LINKED
    unit = await session.get(Unit, row.unit_id)
    if unit is None or not actor.may_manage(unit):
        return None, GroupOutcome.NOT_ALLOWED
    return row, None


async def unlink(session: AsyncSession, *, actor: Actor, chat_id: int) -> GroupOutcome:
    row, refused = await _manageable_row(session, actor, chat_id)
    if row is None:
        assert refused is not None
        return refused
    before = {"unit_id": row.unit_id, "title": row.title, "weekly_summary": row.weekly_summary}
    await session.delete(row)
    await record(session, actor=actor, action="group.unlink", subject=_subject(chat_id), before=before)
    return GroupOutcome.DONE


async def set_weekly_summary(session: AsyncSession, *, actor: Actor, chat_id: int, on: bool) -> GroupOutcome:
    row, refused = await _manageable_row(session, actor, chat_id)
    if row is None:
        assert refused is not None
        return refused
    if row.weekly_summary == on:
        return GroupOutcome.UNCHANGED
    row.weekly_summary = on
    await record(
        session,
        actor=actor,
        action="group.weekly_summary",
        subject=_subject(chat_id),
        before={"weekly_summary": not on},
        after={"weekly_summary": on},
    )
    return GroupOutcome.DONE


async def drop_on_removal(
    session: AsyncSession, *, chat_id: int, actor: Actor | None = None, removed_by: int | None = None
) -> bool:
    """The bot left the group (removed, or the group was deleted): the link goes with it. `removed_by` is the
    Telegram user id of whoever removed the bot, kept in the audit log when they are not an official."""
    row = await _row(session, chat_id, lock=True)
    if row is None:
        return False
    before = {"unit_id": row.unit_id, "title": row.title, "weekly_summary": row.weekly_summary}
    await session.execute(delete(UnitGroup).where(UnitGroup.id == row.id))
    after = {"removed_by_telegram_id": removed_by} if removed_by is not None else None
    if actor is not None:
        await record(
            session,
            actor=actor,
            action="group.bot_removed",
            subject=_subject(chat_id),
            before=before,
            after=after,
        )
    else:
        _by_telegram(session, "group.bot_removed", chat_id, before, after)
    return True


async def move_chat(session: AsyncSession, *, old_chat_id: int, new_chat_id: int) -> bool:
    """A group upgraded to a supergroup gets a new chat id from Telegram: the link moves with it."""
    row = await _row(session, old_chat_id, lock=True)
    if row is None or await _row(session, new_chat_id) is not None:
        return False
    row.chat_id = new_chat_id
    _by_telegram(session, "group.migrated", new_chat_id, {"chat_id": old_chat_id}, {"chat_id": new_chat_id})
    return True


def _by_telegram(
    session: AsyncSession,
    action: str,
    chat_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """What Telegram did, or someone who is no official (audit.record would call it the command line)."""
    session.add(
        AuditEntry(
            at=utcnow(),
            actor_id=None,
            actor_label="telegram",
            action=action,
            subject=_subject(chat_id),
            before=before,
            after=after,
        )
    )


async def linked_groups(session: AsyncSession, unit_ids: list[int] | None) -> list[tuple[int, int]]:
    """(chat id, unit id) of the groups linked to these units or any unit below them; None means all."""
    query = select(UnitGroup.chat_id, UnitGroup.unit_id)
    if unit_ids is not None:
        if not unit_ids:
            return []
        paths = (await session.scalars(select(Unit.path).where(Unit.id.in_(unit_ids)))).all()
        if not paths:
            return []
        query = query.join(Unit, Unit.id == UnitGroup.unit_id).where(
            or_(*(Unit.path.startswith(path) for path in paths))
        )
    rows = await session.execute(query.order_by(UnitGroup.chat_id))
    return [(int(chat_id), int(unit_id)) for chat_id, unit_id in rows.all()]


async def weekly_summary_groups(session: AsyncSession) -> list[tuple[int, int]]:
    """(chat id, unit id) of the groups whose head turned the weekly aggregate on."""
    rows = await session.execute(
        select(UnitGroup.chat_id, UnitGroup.unit_id)
        .where(UnitGroup.weekly_summary.is_(True))
        .order_by(UnitGroup.chat_id)
    )
    return [(int(chat_id), int(unit_id)) for chat_id, unit_id in rows.all()]
