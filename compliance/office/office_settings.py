"""Office-wide settings (the `office_settings` table: a name and a text value), written by an admin and
audited: one way to change one, whichever setting it is."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.officials import Actor
from compliance.privacy import audit
from storage.engine import dialect_of
from storage.models_campaign import OfficeSetting


async def office_setting(session: AsyncSession, name: str) -> str | None:
    return await session.scalar(select(OfficeSetting.value).where(OfficeSetting.name == name))


async def change_office_setting(
    session: AsyncSession,
    name: str,
    value: str,
    *,
    actor: Actor | None,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """Set `name` to `value` (made or replaced, whoever changed it last kept) and audit the change as
    `action` with the caller's readable `before` and `after`."""
    values = {"name": name, "value": value, "updated_by_id": actor.id if actor else None}
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    statement = insert(OfficeSetting).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"value": statement.excluded.value, "updated_by_id": statement.excluded.updated_by_id},
        )
    )
    await audit.record(session, actor=actor, action=action, subject="office", before=before, after=after)
