"""Channel accounts: who a person is on each channel, and where their messages go.

A person may hold accounts on several channels (Telegram, Zalo, the web); they get one copy of each
message, on the channel they last used. Every lookup by a channel's id is one query on the unique index
(channel, external_id); the choice of an official's account is one on (official_id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.clock import utcnow
from storage.models import AccountStatus, Channel, ChannelAccount, Official

# last_seen_at is refreshed at most this often: a write per update would slow the per-update path for a
# choice (which channel a person last used) that minutes do not change.
SEEN_EVERY = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class ChannelUser:
    """A person as a channel names them: the channel and its id for them, as text."""

    channel: Channel
    external_id: str

    @classmethod
    def telegram(cls, user_id: int) -> ChannelUser:
        return cls(Channel.TELEGRAM, str(user_id))


class Address(NamedTuple):
    """Where one message goes: a channel and the chat on it, as text (a private chat, a group)."""

    channel: Channel
    address: str

    @staticmethod
    def telegram(chat_id: int) -> Address:
        """A Telegram chat: a person's private chat has their user id, a group a negative id."""
        return Address(Channel.TELEGRAM, str(chat_id))


def _by_user(user: ChannelUser) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return ChannelAccount.channel == user.channel, ChannelAccount.external_id == user.external_id


def _still_linked() -> ColumnElement[bool]:
    # An unlinked account names nobody any more (the unique index still finds the row, for link()).
    return ChannelAccount.status != AccountStatus.UNLINKED


async def find_official(session: AsyncSession, user: ChannelUser) -> Official | None:
    """The official behind a channel account, their unit loaded with them (one query)."""
    return await session.scalar(
        select(Official)
        .join(ChannelAccount, ChannelAccount.official_id == Official.id)
        .where(*_by_user(user), _still_linked())
    )


async def find_with_account(
    session: AsyncSession, user: ChannelUser
) -> tuple[Official, ChannelAccount] | None:
    """The per-update lookup: the official, their unit and the account, in one round trip."""
    row = (
        await session.execute(
            select(Official, ChannelAccount)
            .join(ChannelAccount, ChannelAccount.official_id == Official.id)
            .where(*_by_user(user), _still_linked())
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


def seen(account: ChannelAccount, now: datetime) -> None:
    """The person wrote on this account: it can be reached again, and becomes their latest channel."""
    if account.status is AccountStatus.BLOCKED:
        account.status = AccountStatus.ACTIVE
    if account.last_seen_at <= now - SEEN_EVERY:
        account.last_seen_at = now


async def link(
    session: AsyncSession,
    official: Official,
    user: ChannelUser,
    *,
    chat_id: str | None = None,
    display_name: str | None = None,
) -> ChannelAccount:
    """Give the official this channel account (taken from a former holder, who can only be someone who
    left: the callers check that first). On Telegram and Zalo the private chat's id is the user's id."""
    now = utcnow()
    account = await session.scalar(select(ChannelAccount).where(*_by_user(user)))
    if account is None:
        account = ChannelAccount(channel=user.channel, external_id=user.external_id)
        session.add(account)
    account.official_id = official.id
    account.chat_id = chat_id or user.external_id
    account.display_name = display_name
    account.status = AccountStatus.ACTIVE
    account.linked_at = account.last_seen_at = now
    await session.flush()
    return account


def linked() -> ColumnElement[bool]:
    """The official (of the enclosing query) has reached the bot on some channel; one probe of the index
    on channel_accounts.official_id. (An alias: the enclosing query may join the accounts itself.)"""
    account = aliased(ChannelAccount)
    return exists().where(account.official_id == Official.id, account.status != AccountStatus.UNLINKED)


def holds_any(channel: Channel, external_ids: list[str]) -> ColumnElement[bool]:
    """The official (of the enclosing query) holds one of these accounts of a channel."""
    account = aliased(ChannelAccount)
    return exists().where(
        account.official_id == Official.id,
        account.channel == channel,
        account.external_id.in_(external_ids),
    )


def _preferred_first(account: type[ChannelAccount]) -> tuple[ColumnElement[Any], ...]:
    """The order in which a person's accounts are chosen for a message: one they have not blocked the bot
    on, then the one they used last. (A blocked account is still chosen when it is the only one: the send
    then records that they cannot be reached, as before.)"""
    return (
        (account.status == AccountStatus.BLOCKED).asc(),
        account.last_seen_at.desc(),
        account.id.desc(),
    )


def delivery_account() -> ColumnElement[bool]:
    """The join condition of an official (of the enclosing query) with the account they get messages on
    (one copy only, whatever channels they hold)."""
    other = aliased(ChannelAccount)
    chosen = (
        select(other.id)
        .where(other.official_id == Official.id, other.status != AccountStatus.UNLINKED)
        .order_by(*_preferred_first(other))
        .limit(1)
        .correlate(Official)
        .scalar_subquery()
    )
    return and_(ChannelAccount.official_id == Official.id, ChannelAccount.id == chosen)


async def address_of(session: AsyncSession, official_id: int) -> Address | None:
    """Where one message to this official goes, or None if they never reached the bot."""
    row = (
        await session.execute(
            select(ChannelAccount.channel, ChannelAccount.chat_id)
            .where(ChannelAccount.official_id == official_id, ChannelAccount.status != AccountStatus.UNLINKED)
            .order_by(*_preferred_first(ChannelAccount))
            .limit(1)
        )
    ).first()
    return Address(row[0], row[1]) if row is not None else None


async def accounts_of(session: AsyncSession, official_id: int) -> list[ChannelAccount]:
    return list(
        (
            await session.scalars(
                select(ChannelAccount)
                .where(ChannelAccount.official_id == official_id)
                .order_by(ChannelAccount.id)
            )
        ).all()
    )


async def mark_blocked(session: AsyncSession, *, official_id: int, address: Address) -> None:
    """The person blocked the bot on the account this address belongs to."""
    await session.execute(
        update(ChannelAccount)
        .where(
            ChannelAccount.official_id == official_id,
            ChannelAccount.channel == address.channel,
            ChannelAccount.chat_id == address.address,
        )
        .values(status=AccountStatus.BLOCKED)
    )
