"""Support: an administrator finds an official by name or phone and gives them a one-time sign-in link.

An official who lost their chat (a new phone, a blocked messenger) can still reach the web pages; the link
is the same ten-minute, single-use link /web gives, issued in the administrator's name and audited, so the
log says who let whom in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.officials import Actor
from compliance.office.phones import canonical_phone
from compliance.office.web_access import issue_link
from compliance.privacy import audit
from compliance.text import clean_text, name_key
from storage.models import Official, OfficialStatus, Unit

MAX_FOUND = 20
# Statuses web_access lets sign in: offering a link to anyone else would only give a dead link.
_SIGNABLE = (OfficialStatus.ACTIVE, OfficialStatus.INVITED, OfficialStatus.UNREACHABLE)


@dataclass(frozen=True)
class FoundOfficial:
    id: int
    full_name: str
    title: str | None
    unit_name: str | None
    phone: str | None
    status: OfficialStatus


async def find_officials(session: AsyncSession, query: str, *, limit: int = MAX_FOUND) -> list[FoundOfficial]:
    """Officials who can sign in whose name contains `query`, or whose phone is it (any usual writing)."""
    text = clean_text(query)
    if len(text) < 2:
        return []
    conditions = [Official.name_key.contains(name_key(text), autoescape=True)]
    phone = canonical_phone(text)
    if phone is not None:
        conditions.append(Official.phone == phone)
    rows = (
        await session.execute(
            select(Official, Unit.name)
            .outerjoin(Unit, Unit.id == Official.unit_id)
            .where(or_(*conditions), Official.status.in_(_SIGNABLE), Official.erased_at.is_(None))
            .order_by(Official.full_name, Official.id)
            .limit(limit)
        )
    ).all()
    return [FoundOfficial(o.id, o.full_name, o.title, unit_name, o.phone, o.status) for o, unit_name in rows]


async def issue_support_link(session: AsyncSession, *, admin: Actor, official_id: int) -> str | None:
    """A one-time sign-in token for the official, issued by an administrator; None when the official
    cannot sign in (unknown, left, erased) or the caller is not an administrator."""
    if not admin.is_admin:
        return None
    official = await session.get(Official, official_id)
    if official is None or official.erased_at is not None or official.status not in _SIGNABLE:
        return None
    token = await issue_link(session, official_id=official.id, issued_by=f"admin:{admin.id}")
    # The token itself is never logged: whoever reads the log must not be able to use the link.
    await audit.record(
        session,
        actor=admin,
        action="web.link",
        subject=f"official:{official.id}",
        after={"name": official.full_name},
    )
    return token
