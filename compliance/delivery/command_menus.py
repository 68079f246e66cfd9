"""Planning the refresh of people's command menus when their role changes, through the outbox.

An import can make hundreds of heads at once: each menu is one outbox row (kind "command_menu", the role
in the payload) that the dispatcher turns into setMyCommands calls at Telegram's pace, retried like any
message. Only people who have reached the bot have a chat to set a menu for.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, and_, true
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.delivery.outbox import plan_for_officials
from compliance.office.accounts import holds_any
from storage.clock import utcnow
from storage.models import Channel, Official, Role

KIND = "command_menu"
# Roles with a menu of their own; an official's chat menu is cleared, so the default one applies.
OWN_MENU_ROLES = (Role.HEAD, Role.ADMIN)
_CHUNK = 500


async def plan_menus(
    session: AsyncSession,
    *,
    official_ids: Collection[int] | None,
    key_suffix: str | None = None,
    except_telegram_ids: Collection[int] = (),
) -> int:
    """One menu row per reachable official among `official_ids` (None: every head and admin), for the role
    each has now. The dedupe key ends with `key_suffix` (default: this instant, so a later change of the
    same person plans again); returns how many rows are new."""
    suffix = key_suffix or utcnow().isoformat()
    if official_ids is None:
        groups: list[ColumnElement[bool]] = [Official.role.in_(OWN_MENU_ROLES)]
    else:
        ids = sorted(set(official_ids))
        groups = [Official.id.in_(ids[i : i + _CHUNK]) for i in range(0, len(ids), _CHUNK)]
    skip = (
        ~holds_any(Channel.TELEGRAM, [str(i) for i in except_telegram_ids]) if except_telegram_ids else true()
    )
    planned = 0
    for audience in groups:
        for role in Role:
            planned += await plan_for_officials(
                session,
                kind=KIND,
                key_suffix=f"{role.value}:{suffix}",
                payload={"role": role.value},
                audience=and_(audience, Official.role == role, skip),
            )
    return planned
