"""Zalo group chats linked to units (behind ZALO_GROUPS, while Zalo calls groups a test): a linked group gets
its unit's weekly aggregate, counts and percentages only.

Telegram proves who links a group by the sender of /linkgroup; on Zalo the sender's id in a group is all the
update carries too, but whether it is the same id the bot sees in that person's private chat is not
confirmed by Zalo's docs. So linking takes a one-time code the head asked for in their private chat: the
code names the unit and the person, and the group message that carries it must come from that person's
linked account. A code is single use, short-lived and stored as its SHA-256 (the alphabet and hashing of
compliance.office.activation); wrong codes count against the same hourly allowance as activation codes.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.activation import ALPHABET, CODE_LENGTH, WRONG_LIMIT, WRONG_WINDOW, hash_code, new_code
from compliance.office.officials import Actor
from compliance.privacy.audit import record
from compliance.text import clean_text
from storage.models import Channel, Unit
from storage.models_zalo import ActivationAttempt, ZaloGroup, ZaloGroupCode

# Long enough to open the group and type it, short enough that a code seen over a shoulder is stale.
CODE_LIFETIME = timedelta(minutes=30)
CHANNEL = Channel.ZALO.value

# A code inside a group message, which also holds the mention of the bot ("@Cam Kết Bot XXXX-XXXX"): eight
# characters of the alphabet, optionally split in two halves, standing alone.
_CODE = re.compile(rf"(?<![A-Z0-9])([{ALPHABET}]{{4}})[ \-._]?([{ALPHABET}]{{4}})(?![A-Z0-9])")


class LinkOutcome(enum.Enum):
    LINKED = "linked"
    MOVED = "moved"  # the group was linked to another unit before
    ALREADY = "already"
    WRONG = "wrong"  # no such code
    EXPIRED = "expired"  # used, expired, or its unit is gone
    NOT_YOURS = "not_yours"  # a real code, sent by someone other than whom it was given to
    WAIT = "wait"  # too many wrong codes from this account
    TAKEN = "taken"  # the group is linked to a unit the sender does not manage


class UnlinkOutcome(enum.Enum):
    DONE = "done"
    NOT_LINKED = "not_linked"
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True)
class LinkedGroup:
    chat_id: str
    unit_id: int
    unit_name: str


@dataclass(frozen=True)
class LinkResult:
    outcome: LinkOutcome
    group: LinkedGroup | None = None
    previous_unit_name: str | None = None
    retry_at: datetime | None = None


def _subject(chat_id: str) -> str:
    return f"zalo_group:{chat_id}"


def find_code(text: str) -> str | None:
    """The canonical code in a group message, or None: case, accents a keyboard added and the separator
    between the halves do not matter."""
    folded = unicodedata.normalize("NFKD", clean_text(text).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in folded if not unicodedata.combining(ch)).upper()
    found = _CODE.search(bare)
    return found.group(1) + found.group(2) if found else None


async def issue_code(session: AsyncSession, *, actor: Actor, unit: Unit, now: datetime) -> str | None:
    """A new group link code for a unit the actor manages, as "XXXX-XXXX" (returned this once, only its
    hash is kept); the actor's earlier unused codes stop working. None when they may not manage the unit."""
    if not actor.may_manage(unit):
        return None
    await session.execute(
        delete(ZaloGroupCode).where(ZaloGroupCode.issued_by_id == actor.id, ZaloGroupCode.used_at.is_(None))
    )
    while True:
        code = new_code()
        if await session.scalar(select(ZaloGroupCode.id).where(ZaloGroupCode.code_hash == hash_code(code))):
            continue  # one in 18^8: draw again rather than break the unique index
        break
    session.add(
        ZaloGroupCode(
            code_hash=hash_code(code),
            unit_id=unit.id,
            issued_by_id=actor.id,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    )
    await session.flush()
    await record(
        session,
        actor=actor,
        action="group.link_code",
        subject=f"unit:{unit.id}",
        after={"channel": CHANNEL, "expires_at": (now + CODE_LIFETIME).isoformat()},
    )
    assert len(code) == CODE_LENGTH
    return f"{code[:4]}-{code[4:]}"


async def _wait_until(session: AsyncSession, external_id: str, now: datetime) -> datetime | None:
    recent = list(
        (
            await session.scalars(
                select(ActivationAttempt.at)
                .where(
                    ActivationAttempt.channel == CHANNEL,
                    ActivationAttempt.external_id == external_id,
                    ActivationAttempt.at > now - WRONG_WINDOW,
                )
                .order_by(ActivationAttempt.at)
            )
        ).all()
    )
    if len(recent) < WRONG_LIMIT:
        return None
    return recent[len(recent) - WRONG_LIMIT] + WRONG_WINDOW


async def link_with_code(
    session: AsyncSession, *, actor: Actor | None, sender_id: str, chat_id: str, code: str, now: datetime
) -> LinkResult:
    """A code sent in a group by `sender_id` (`actor`: the official behind that Zalo account, if any)."""
    retry_at = await _wait_until(session, sender_id, now)
    if retry_at is not None:
        return LinkResult(LinkOutcome.WAIT, retry_at=retry_at)
    row = await session.scalar(select(ZaloGroupCode).where(ZaloGroupCode.code_hash == hash_code(code)))
    if row is None:
        session.add(ActivationAttempt(channel=CHANNEL, external_id=sender_id, at=now))
        await session.flush()
        return LinkResult(LinkOutcome.WRONG)
    unit = await session.get(Unit, row.unit_id)
    if row.used_at is not None or row.expires_at <= now or unit is None:
        return LinkResult(LinkOutcome.EXPIRED)
    # The head's role may have changed since they asked: they must still manage the unit.
    if actor is None or actor.id != row.issued_by_id or not actor.may_manage(unit):
        return LinkResult(LinkOutcome.NOT_YOURS)
    group = await session.scalar(select(ZaloGroup).where(ZaloGroup.chat_id == chat_id).with_for_update())
    current = await session.get(Unit, group.unit_id) if group is not None else None
    if current is not None and not actor.may_manage(current):
        # A head of a sibling unit who is in another unit's group cannot take it over (as on Telegram); the
        # code stays usable elsewhere.
        return LinkResult(LinkOutcome.TAKEN)
    # Conditional: of two sends of one code racing, one takes it and links.
    taken = await session.execute(
        update(ZaloGroupCode)
        .where(ZaloGroupCode.id == row.id, ZaloGroupCode.used_at.is_(None))
        .values(used_at=now, used_in=chat_id)
        .execution_options(synchronize_session=False)
    )
    if getattr(taken, "rowcount", 0) != 1:
        return LinkResult(LinkOutcome.EXPIRED)
    return await _link(session, actor=actor, group=group, chat_id=chat_id, unit=unit, now=now)


async def _link(
    session: AsyncSession, *, actor: Actor, group: ZaloGroup | None, chat_id: str, unit: Unit, now: datetime
) -> LinkResult:
    linked = LinkedGroup(chat_id, unit.id, unit.name)
    if group is not None and group.unit_id == unit.id:
        return LinkResult(LinkOutcome.ALREADY, linked)
    after = {"channel": CHANNEL, "unit_id": unit.id, "weekly_summary": True}
    if group is not None:
        previous = await session.get(Unit, group.unit_id)
        before = {"channel": CHANNEL, "unit_id": group.unit_id}
        group.unit_id, group.linked_by_id, group.linked_at = unit.id, actor.id, now
        await session.flush()
        await record(
            session, actor=actor, action="group.link", subject=_subject(chat_id), before=before, after=after
        )
        return LinkResult(LinkOutcome.MOVED, linked, previous.name if previous is not None else None)
    session.add(ZaloGroup(chat_id=chat_id, unit_id=unit.id, linked_by_id=actor.id, linked_at=now))
    await session.flush()
    await record(session, actor=actor, action="group.link", subject=_subject(chat_id), after=after)
    return LinkResult(LinkOutcome.LINKED, linked)


async def group_of(session: AsyncSession, chat_id: str) -> LinkedGroup | None:
    found = (
        await session.execute(
            select(ZaloGroup.unit_id, Unit.name)
            .join(Unit, Unit.id == ZaloGroup.unit_id)
            .where(ZaloGroup.chat_id == chat_id)
        )
    ).first()
    return LinkedGroup(chat_id, int(found[0]), str(found[1])) if found is not None else None


async def unlink(session: AsyncSession, *, actor: Actor | None, chat_id: str) -> UnlinkOutcome:
    """Any head who manages the linked unit (or an admin) may unlink, not only whoever linked it."""
    group = await session.scalar(select(ZaloGroup).where(ZaloGroup.chat_id == chat_id).with_for_update())
    if group is None:
        return UnlinkOutcome.NOT_LINKED
    unit = await session.get(Unit, group.unit_id)
    if actor is None or unit is None or not actor.may_manage(unit):
        return UnlinkOutcome.NOT_ALLOWED
    before = {"channel": CHANNEL, "unit_id": group.unit_id, "weekly_summary": True}
    await session.delete(group)
    await session.flush()
    await record(session, actor=actor, action="group.unlink", subject=_subject(chat_id), before=before)
    return UnlinkOutcome.DONE


async def weekly_summary_groups(session: AsyncSession) -> list[tuple[str, int]]:
    """(chat id, unit id) of every linked Zalo group: on Zalo, linking a group is asking for its weekly
    aggregate (there is nothing else a Zalo group gets)."""
    rows = await session.execute(select(ZaloGroup.chat_id, ZaloGroup.unit_id).order_by(ZaloGroup.chat_id))
    return [(str(chat_id), int(unit_id)) for chat_id, unit_id in rows.all()]


async def linked_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(ZaloGroup)) or 0)
