"""Where a person with accounts on several channels gets a message: one copy, on the channel they used
last, unless they blocked the bot there and can be reached on another."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from compliance.delivery.outbox import plan_for_officials
from compliance.office.accounts import Address, ChannelUser, address_of, link, mark_blocked
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Channel, ChannelAccount, Official, OfficialStatus, OutboxMessage
from tests.factories import telegram_official

ZALO_ID = "8a1f3c0e9b2d4f67"


async def _two_channels(database: Database) -> int:
    """An official on Telegram (seen an hour ago) and on Zalo (seen a day ago)."""
    async with database.unit_of_work() as session:
        lan = await telegram_official(
            session, 1001, full_name="Nguyễn Thị Lan", name_key="nguyen thi lan", status=OfficialStatus.ACTIVE
        )
        await link(session, lan, ChannelUser(Channel.ZALO, ZALO_ID))
        now = utcnow()
        for account in await session.scalars(
            select(ChannelAccount).where(ChannelAccount.official_id == lan.id)
        ):
            hours = 1 if account.channel is Channel.TELEGRAM else 24
            account.last_seen_at = now - timedelta(hours=hours)
        return lan.id


async def _planned_to(database: Database, official_id: int, key: str) -> list[tuple[Channel, str]]:
    async with database.unit_of_work() as session:
        await plan_for_officials(
            session,
            kind="nudge",
            key_suffix=key,
            payload={"lapse": "not_signed"},
            audience=Official.id == official_id,
        )
        rows = await session.execute(
            select(OutboxMessage.channel, OutboxMessage.address).where(OutboxMessage.dedupe_key.contains(key))
        )
        return [(channel, address) for channel, address in rows]


async def test_one_copy_on_the_channel_used_last(database: Database) -> None:
    lan = await _two_channels(database)
    assert await _planned_to(database, lan, "first") == [(Channel.TELEGRAM, "1001")]
    async with database.unit_of_work() as session:
        assert await address_of(session, lan) == Address.telegram(1001)
        zalo = await session.scalar(select(ChannelAccount).where(ChannelAccount.channel == Channel.ZALO))
        assert zalo is not None
        zalo.last_seen_at = utcnow()  # she writes on Zalo now
    assert await _planned_to(database, lan, "second") == [(Channel.ZALO, ZALO_ID)]
    async with database.unit_of_work() as session:
        assert await address_of(session, lan) == Address(Channel.ZALO, ZALO_ID)


async def test_a_blocked_account_gives_way_to_a_reachable_one(database: Database) -> None:
    lan = await _two_channels(database)
    async with database.unit_of_work() as session:
        await mark_blocked(session, official_id=lan, address=Address.telegram(1001))
    # Telegram was used last, but she blocked the bot there: Zalo, seen a day ago, gets the message.
    assert await _planned_to(database, lan, "after-block") == [(Channel.ZALO, ZALO_ID)]
    async with database.unit_of_work() as session:
        assert await address_of(session, lan) == Address(Channel.ZALO, ZALO_ID)
        await mark_blocked(session, official_id=lan, address=Address(Channel.ZALO, ZALO_ID))
    # Blocked everywhere: the last used is still chosen, so the send records that she cannot be reached.
    assert await _planned_to(database, lan, "all-blocked") == [(Channel.TELEGRAM, "1001")]
