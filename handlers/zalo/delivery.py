"""Sending on Zalo: the pace (ZALO_RATE_LIMIT overall, at most one message a second per chat), and the
outbox's Zalo dispatcher, which claims Channel.ZALO rows, renders them with the same views as Telegram's
(handlers.views.outbox) and records what Zalo answered.

Answers: 429 → the row again later (Zalo's retry_after, or the backoff) and the whole sender slowed;
401 → Zalo sending paused (an ERROR line, without the token) until the bot is restarted with a good token;
the user blocked the bot → that account unreachable; another 4xx → the row failed; no answer or 5xx →
again later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from compliance.delivery import claims as delivery
from compliance.delivery.claims import Claimed
from handlers.i18n import use_locale
from handlers.messages import OutMessage
from handlers.outbox_leases import OutboxLeases
from handlers.views.outbox import RENDERERS
from handlers.zalo.client import (
    ZaloBlocked,
    ZaloClient,
    ZaloError,
    ZaloRateLimited,
    ZaloUnauthorized,
    message_id_of,
)
from handlers.zalo.links import AttachmentLinks
from handlers.zalo.outbox_choices import as_keywords
from handlers.zalo.render import AttachmentUrl, ZaloPhoto, ZaloSend, ZaloText, render
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Channel

log = logging.getLogger(__name__)
PER_CHAT_SECONDS = 1.0
# Sends are spaced a little wider than the rate: a strict one-second window on Zalo's side must never see
# one more than the limit, even when network jitter brings two sends closer together.
HEADROOM = 0.95


class ZaloPace:
    """Slots for sends: evenly spaced overall, and a second apart within one chat. A send waits for its
    chat's slot first, then for an overall one, so one busy chat does not hold up the others."""

    def __init__(self, per_second: float, *, per_chat_seconds: float = PER_CHAT_SECONDS) -> None:
        self.interval = 1.0 / (per_second * HEADROOM)
        self.per_chat_seconds = per_chat_seconds
        self._next = 0.0
        self._chat_next: dict[str, float] = {}

    async def wait(self, chat_id: str) -> None:
        now = time.monotonic()
        chat_slot = max(now, self._chat_next.get(chat_id, 0.0))
        self._chat_next[chat_id] = chat_slot + self.per_chat_seconds  # reserved before any await
        if chat_slot > now:
            await asyncio.sleep(chat_slot - now)
        now = time.monotonic()
        slot = max(now, self._next)
        self._next = slot + self.interval
        self._chat_next[chat_id] = max(self._chat_next[chat_id], slot + self.per_chat_seconds)
        if slot > now:
            await asyncio.sleep(slot - now)
        if len(self._chat_next) > 10_000:  # forget chats whose slot has passed
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}

    def slow_down(self, seconds: float) -> None:
        """Zalo said 429: no send at all for a while."""
        self._next = max(self._next, time.monotonic() + seconds)


class ZaloSender:
    """The one way out to Zalo for this process (replies and the outbox), sharing the pace and the pause."""

    def __init__(self, client: ZaloClient, pace: ZaloPace) -> None:
        self.client = client
        self.pace = pace
        self.paused = False

    def pause(self, reason: str) -> None:
        if not self.paused:
            log.error(
                "ZALO SENDING PAUSED: %s. Set a valid ZALO_BOT_TOKEN (Zalo Bot Manager) and restart the bot; "
                "messages planned meanwhile wait in the outbox.",
                reason,
            )
        self.paused = True

    async def send(self, chat_id: str, sends: Sequence[ZaloSend]) -> str | None:
        """Send in order, each in its slot; the id of the first message Zalo accepted."""
        first: str | None = None
        for item in sends:
            if self.paused:
                raise ZaloUnauthorized(401, "sending paused", 401)
            await self.pace.wait(chat_id)
            try:
                if isinstance(item, ZaloText):
                    result = await self.client.send_message(chat_id, item.text)
                else:
                    assert isinstance(item, ZaloPhoto)
                    result = await self.client.send_photo(chat_id, item.url, item.caption)
            except ZaloRateLimited as exc:
                self.pace.slow_down(exc.retry_after or 1.0)
                raise
            except ZaloUnauthorized:
                self.pause("Zalo refused the bot token (401)")
                raise
            first = first or message_id_of(result)
        return first


@dataclass(frozen=True)
class Outcome:
    kind: str  # sent | retry | unreachable | failed | paused
    message_id: str | None = None
    error: str = ""
    delay: timedelta | None = None


class ZaloDispatcher:
    """Drains the outbox's Zalo rows until stopped. Each row is recorded in its own short transaction as
    soon as Zalo answers (Zalo's pace is a few messages a second: no batching needed)."""

    def __init__(
        self,
        sender: ZaloSender,
        database: Database,
        *,
        wakeup: asyncio.Event,
        default_locale: str,
        links: AttachmentLinks | None = None,
        idle_seconds: float = 1.0,
        lease: timedelta = delivery.DEFAULT_LEASE,
        max_in_flight: int | None = None,
    ) -> None:
        self.sender = sender
        self.database = database
        self.wakeup = wakeup
        self.default_locale = default_locale
        # Pictures and documents as /f/ links (None: a document is only named, a picture as bytes not sent).
        self.links = links
        self.idle_seconds = idle_seconds
        self.lease = lease
        # About two seconds of sends claimed at once: a claimed row waits for its slot well within its lease.
        per_second = 1.0 / sender.pace.interval
        self.max_in_flight = max_in_flight or max(4, int(per_second * 2))
        # Rows claimed here whose outcome is not recorded yet: their leases are renewed while they last.
        self.leases = OutboxLeases(database, channel=Channel.ZALO, lease=lease)
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        renewer = asyncio.create_task(self.leases.renew_forever(), name="zalo-outbox-lease-renewal")
        in_flight: set[asyncio.Task[None]] = set()
        try:
            while not self._stopping.is_set():
                claimed: list[Claimed] = []
                room = self.max_in_flight - len(in_flight)
                if room > 0 and not self.sender.paused:
                    try:
                        claimed = await self._claim(room)
                    except Exception:
                        log.exception("claiming Zalo rows from the outbox failed; retrying")
                for row in claimed:
                    in_flight.add(asyncio.create_task(self._send(row), name=f"zalo-outbox-{row.id}"))
                if in_flight:
                    _, in_flight = await asyncio.wait(
                        in_flight, timeout=0.2, return_when=asyncio.FIRST_COMPLETED
                    )
                elif not claimed:
                    await self._idle()
            if in_flight:  # what was handed to Zalo is recorded before stopping
                await asyncio.wait(in_flight)
        finally:
            renewer.cancel()

    async def drain_once(self) -> int:
        """One claim and its sends, awaited: for tests that step the dispatcher by hand."""
        if self.sender.paused:
            return 0
        claimed = await self._claim(self.max_in_flight)
        await asyncio.gather(*(self._send(row) for row in claimed))
        return len(claimed)

    async def _idle(self) -> None:
        self.wakeup.clear()
        waiters = [asyncio.ensure_future(self.wakeup.wait()), asyncio.ensure_future(self._stopping.wait())]
        await asyncio.wait(waiters, timeout=self.idle_seconds, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()

    async def _claim(self, limit: int) -> list[Claimed]:
        return await self.leases.claim(limit)

    async def _send(self, row: Claimed) -> None:
        outcome = await self._attempt(row)
        try:
            await self._record(row, outcome)
        except Exception:
            # The row's lease runs out and it is sent again: the documented duplicate window.
            log.exception("recording the Zalo send of outbox row %d failed", row.id)
        finally:
            self.leases.release([row.id])

    async def _attempt(self, row: Claimed) -> Outcome:
        locale = row.locale or row.payload.get("locale") or self.default_locale
        try:
            with use_locale(locale):
                # No question is open for an outbox message: its buttons become keywords, not numbers.
                message = as_keywords(RENDERERS[row.kind](row.payload))
        except KeyError as exc:
            return Outcome("failed", error=f"unknown kind or payload field {exc}")
        try:
            hook = await self._links(row, message)
        except Exception:
            log.exception("making the link of outbox row %d's attachment failed; trying again later", row.id)
            return Outcome("retry", error="the attachment's link could not be made")
        with use_locale(locale):
            sends = render(message, attachment_url=hook)
        if not sends:
            return Outcome("sent")
        try:
            message_id = await self.sender.send(row.address, sends)
        except ZaloRateLimited as exc:
            delay = timedelta(seconds=exc.retry_after) if exc.retry_after else None
            return Outcome("retry", error=f"429 {exc.description}", delay=delay)
        except ZaloUnauthorized as exc:
            return Outcome("paused", error=f"401 {exc.description}")
        except ZaloBlocked as exc:
            return Outcome("unreachable", error=f"{exc.error_code} {exc.description}")
        except ZaloError as exc:
            if exc.retryable or exc.http_status == 0:
                return Outcome("retry", error=f"{exc.error_code} {exc.description}")
            return Outcome("failed", error=f"{exc.error_code} {exc.description}")
        return Outcome("sent", message_id=message_id)

    async def _links(self, row: Claimed, message: OutMessage) -> AttachmentUrl | None:
        """The recipient's link to the row's attachment, committed before the send (Zalo fetches a picture
        while sendPhoto answers). A broadcast's copy ("b" with its content) links the stored upload."""
        if self.links is None or message.attachment is None:
            return None
        broadcast = row.payload.get("b") if "content" in row.payload else None
        return await self.links.hook(
            [message], official_id=row.official_id, broadcast_id=int(broadcast) if broadcast else None
        )

    async def _record(self, row: Claimed, outcome: Outcome) -> None:
        async with self.database.unit_of_work() as session:
            now = utcnow()
            if outcome.kind == "sent":
                await delivery.mark_sent(
                    session, row_id=row.id, channel_message_id=outcome.message_id, now=now
                )
            elif outcome.kind == "retry":
                await delivery.mark_retry(
                    session,
                    row_id=row.id,
                    attempts=row.attempts,
                    error=outcome.error,
                    now=now,
                    delay=outcome.delay,
                )
            elif outcome.kind == "paused":
                # Not the row's fault: it waits, without spending an attempt, until Zalo sends again.
                await delivery.mark_retry(
                    session,
                    row_id=row.id,
                    attempts=max(row.attempts - 1, 0),
                    error=outcome.error,
                    now=now,
                    delay=timedelta(minutes=5),
                )
            elif outcome.kind == "unreachable":
                await delivery.mark_unreachable(
                    session, row_id=row.id, official_id=row.official_id, error=outcome.error, to=row.to
                )
            else:
                await delivery.mark_failed(session, row_id=row.id, error=outcome.error)
