"""Who is writing: the official behind a channel account, their role, and what that role may do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.accounts import ChannelUser, find_with_account, link, linked, seen
from compliance.office.units import is_within
from compliance.text import clean_text, name_key
from storage.clock import utcnow
from storage.models import Channel, ChannelAccount, Official, OfficialStatus, Role, Unit

SUPPORTED_LOCALES = ("vi", "en")


def pick_locale(language_code: str | None, default: str) -> str:
    """Telegram's language_code ("en-GB", "vi") reduced to a locale the bot speaks."""
    if language_code:
        base = language_code.split("-")[0].lower()
        if base in SUPPORTED_LOCALES:
            return base
    return default


@dataclass(frozen=True, slots=True)
class Actor:
    """A snapshot of the official handling an update, detached from the session."""

    id: int
    full_name: str
    title: str | None
    role: Role
    status: OfficialStatus
    locale: str | None
    unit_id: int | None
    unit_name: str | None
    unit_path: str | None
    # The account the update came from (None for an actor built outside an update: the CLI, tests).
    channel: Channel | None = None
    external_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_head(self) -> bool:
        return self.role is Role.HEAD

    def may_manage(self, unit: Unit) -> bool:
        """Admins manage every unit; a head manages their own unit and everything below it."""
        if self.is_admin:
            return True
        return self.is_head and self.unit_path is not None and is_within(unit.path, self.unit_path)


def actor_of(official: Official, account: ChannelAccount | None = None) -> Actor:
    unit = official.unit
    return Actor(
        id=official.id,
        full_name=official.full_name,
        title=official.title,
        role=official.role,
        status=official.status,
        locale=official.locale,
        unit_id=official.unit_id,
        unit_name=unit.name if unit else None,
        unit_path=unit.path if unit else None,
        channel=account.channel if account else None,
        external_id=account.external_id if account else None,
    )


async def load_actor(
    session: AsyncSession,
    *,
    user: ChannelUser,
    display_name: str,
    language_code: str | None,
    admin_ids: frozenset[int],
    default_locale: str,
) -> Actor | None:
    """The official writing, or None for a stranger: one query (official, unit and account), and a write
    only when something changed or last_seen_at is a few minutes old.

    ADMIN_IDS (Telegram ids) are admins from the first start: if they are not on any staff list yet, their
    row and Telegram account are made here from their profile; if they are, their role is raised to admin.
    """
    found = await find_with_account(session, user)
    official, account = found if found is not None else (None, None)
    if user.channel is Channel.TELEGRAM and int(user.external_id) in admin_ids:
        if official is None:
            name = clean_text(display_name) or user.external_id
            official = Official(
                full_name=name,
                name_key=name_key(name),
                role=Role.ADMIN,
                status=OfficialStatus.ACTIVE,
                locale=pick_locale(language_code, default_locale),
                joined_at=utcnow(),
            )
            session.add(official)
            await session.flush()
            account = await link(session, official, user)
        elif official.role is not Role.ADMIN:
            official.role = Role.ADMIN
    if official is None or account is None or official.status is OfficialStatus.LEFT:
        return None
    seen(account, utcnow())
    if official.status is OfficialStatus.UNREACHABLE:
        # Writing to the bot again proves they can be reached.
        official.status = OfficialStatus.ACTIVE
    return actor_of(official, account)


async def set_locale(session: AsyncSession, *, official_id: int, locale: str) -> None:
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    official = await session.get(Official, official_id)
    if official is not None:
        official.locale = locale


async def approvers_of(session: AsyncSession, unit: Unit) -> list[Official]:
    """Who decides on a join request for a unit: its heads and those of the units above it; if none of
    them has joined the bot, the admins."""
    ancestor_ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    joined = (
        linked(),
        Official.status.in_([OfficialStatus.ACTIVE, OfficialStatus.INVITED]),
    )
    heads = (
        await session.scalars(
            select(Official).where(Official.role == Role.HEAD, Official.unit_id.in_(ancestor_ids), *joined)
        )
    ).all()
    # The nearest heads first: the unit's own head is the one who knows the newcomer.
    nearest = max((h.unit.depth for h in heads if h.unit), default=None)
    chosen = [h for h in heads if h.unit and h.unit.depth == nearest]
    if chosen:
        return chosen
    return list((await session.scalars(select(Official).where(Official.role == Role.ADMIN, *joined))).all())
