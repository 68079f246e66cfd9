"""The outbox rows one channel's dispatcher holds: claimed for that channel, their leases renewed while
they are being sent, released once their outcome is recorded. Shared by every channel's dispatcher."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import timedelta

from compliance.delivery import claims as delivery
from compliance.delivery.claims import Claimed
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Channel

log = logging.getLogger(__name__)


class OutboxLeases:
    def __init__(self, database: Database, *, channel: Channel, lease: timedelta) -> None:
        self.database = database
        self.channel = channel
        self.lease = lease
        self.held: set[int] = set()

    async def claim(self, limit: int) -> list[Claimed]:
        """Due rows of this channel, leased to this process (another replica's rows are skipped)."""
        async with self.database.unit_of_work() as session:
            claimed = await delivery.claim_due(
                session, now=utcnow(), limit=limit, lease=self.lease, channel=self.channel
            )
        self.held.update(row.id for row in claimed)
        return claimed

    def release(self, row_ids: Iterable[int]) -> None:
        self.held.difference_update(row_ids)

    async def renew_forever(self) -> None:
        """Every third of a lease, extend those still held: a slow send is not taken over by a replica."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            held = sorted(self.held)
            if not held:
                continue
            try:
                async with self.database.unit_of_work() as session:
                    await delivery.renew_leases(session, row_ids=held, until=utcnow() + self.lease)
            except Exception as exc:
                log.warning(
                    "renewing %d %s outbox leases failed (%s); retrying", len(held), self.channel, exc
                )
